{#- Reads a 'MM-DD' project variable (e.g. age_reference_month_day) into [month, day],
    failing the compilation clearly when it is not a valid month and day. -#}
{% macro month_day_setting(var_name, default) -%}
    {%- set value = var(var_name, default) | string -%}
    {%- set parts = value.split('-') -%}
    {%- if parts | length != 2 or not parts[0].isdigit() or not parts[1].isdigit()
        or not (1 <= parts[0] | int <= 12) or not (1 <= parts[1] | int <= 31) -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' must be 'MM-DD' (a month and day), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return([parts[0] | int, parts[1] | int]) }}
{%- endmacro %}
