{#- A typed count as an integer: Thai digits read as ASCII, thousands separators and
    white space removed ('1,234', '๑ ๒๓๔'). Anything that is not then 1-9 digits
    (blank, '-', a negative or decimal number, text) gives null, never an error; a
    not_null test on the result shows such values. -#}
{% macro thai_count(expr) -%}
    {%- set digits = "regexp_replace(" ~ thai_digits_to_ascii(expr) ~ ", '[,[:space:]\\u00a0]+', '', 'g')" -%}
    case
        when {{ digits }} ~ '^[0-9]{1,9}$' then cast({{ digits }} as integer)
    end
{%- endmacro %}
