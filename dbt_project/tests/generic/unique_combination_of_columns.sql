{#- Fails on every combination of the listed columns that occurs on more than one row
    (nulls compare equal), e.g. one spelling per source in a crosswalk. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
