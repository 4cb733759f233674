{#- Fails on every value outside [min_value, max_value] (both included; either bound may
    be left out). Nulls pass: add not_null where they must not occur. -#}
{% test within_bounds(model, column_name, min_value=none, max_value=none) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("within_bounds: give min_value, max_value or both") }}
{%- endif %}

select {{ column_name }} as value
from {{ model }}
where
    {%- if min_value is not none %}
    {{ column_name }} < {{ min_value }}
    {%- endif %}
    {%- if min_value is not none and max_value is not none %} or{% endif %}
    {%- if max_value is not none %}
    {{ column_name }} > {{ max_value }}
    {%- endif %}

{% endtest %}
