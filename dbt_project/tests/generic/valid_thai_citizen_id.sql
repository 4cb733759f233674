{#- Fails on every non-null value that is not a Thai citizen ID with a valid check
    digit: exactly 13 ASCII digits, as stored (no dashes, spaces or Thai digits). The
    values themselves are not returned (personal data): one row per class of failure
    (citizen_invalid, gcode, malformed) with its number of rows; the failure count is
    their sum. -#}
{% test valid_thai_citizen_id(model, column_name) %}

{{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}

with checked as (

    select {{ person_id_class(column_name) }} as id_class
    from {{ model }}
    where {{ column_name }} is not null

)

select
    id_class,
    count(*) as failing_rows
from checked
where id_class <> 'citizen_valid'
group by id_class

{% endtest %}
