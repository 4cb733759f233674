{#- Fails on every non-null value of the column that is not a value of seed_column in
    the seed (or any model): the code list lives in the seed, not in the test's YAML.
    `seed` is a name ('grade_levels') or a relation (ref('grade_levels')). Values are
    compared as text, so '01' stays distinct from '1'. -#}
{% test accepted_codes_from_seed(model, column_name, seed, seed_column) %}

{%- set code_list = ref(seed) if seed is string else seed %}

with tested as (

    select distinct cast({{ column_name }} as text) as value
    from {{ model }}
    where {{ column_name }} is not null

),

codes as (

    select distinct cast({{ seed_column }} as text) as code
    from {{ code_list }}

)

select tested.value
from tested
left join codes on tested.value = codes.code
where codes.code is null

{% endtest %}
