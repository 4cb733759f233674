{#- The age column of a DOPA population file as an integer: '0'..'99' as they are,
    '100 ปีขึ้นไป' (100 and over) as 100; Thai digits and spaces allowed, a trailing
    'ปี' (years) or '+' accepted. Anything else gives null. -#}
{% macro dopa_age(expr) -%}
    {%- set text = "regexp_replace(" ~ thai_digits_to_ascii(expr) ~ ", '[[:space:]\\u00a0]+', '', 'g')" -%}
    case
        when {{ text }} ~ '^[0-9]{1,3}(ปี)?(ขึ้นไป|\+)?$'
            then cast(substring({{ text }} from '^[0-9]{1,3}') as integer)
    end
{%- endmacro %}
