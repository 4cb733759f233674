{#- In a long table where total rows sit next to the rows they are the total of, fails
    on every group whose total differs from the sum of its parts by more than
    `tolerance`. Rows matching `total_filter` are the totals, rows matching
    `parts_filter` the parts; `group_by` (a list of columns or expressions) says which
    total goes with which parts and must not include the column the filters split on.
    `measure` (a column or expression; defaults to the tested column) is summed on both
    sides, nulls counting 0. A group with parts but no total row, or a total but no
    parts, fails unless both sides sum to 0. Example: sex 'T' = 'M' + 'F' + unknown:
      total_filter: "sex = 'T'", parts_filter: "sex in ('M', 'F', 'U')",
      group_by: [indicator, academic_year, area_code, level], measure: numerator -#}
{% test totals_equal_sum_of_parts(model, total_filter, parts_filter, group_by, measure=none,
                                  column_name=none, tolerance=0) %}

{%- set measure = measure if measure is not none else column_name %}
{%- if measure is none -%}
    {{ exceptions.raise_compiler_error("totals_equal_sum_of_parts: give a measure or test a column") }}
{%- endif %}
{%- set groups = [group_by] if group_by is string else group_by %}

with sides as (

    select
        {%- for expr in groups %}
        {{ expr }} as group_{{ loop.index }},
        {%- endfor %}
        coalesce({{ measure }}, 0) as total_value,
        0 as parts_value
    from {{ model }}
    where {{ total_filter }}

    union all

    select
        {%- for expr in groups %}
        {{ expr }},
        {%- endfor %}
        0,
        coalesce({{ measure }}, 0)
    from {{ model }}
    where {{ parts_filter }}

)

select
    {%- for expr in groups %}
    group_{{ loop.index }},
    {%- endfor %}
    sum(total_value) as total_value,
    sum(parts_value) as sum_of_parts
from sides
group by {% for expr in groups %}group_{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
having abs(sum(total_value) - sum(parts_value)) > {{ tolerance }}

{% endtest %}
