{#- Thai digits (U+0E50..U+0E59) read as ASCII 0-9; every other character is kept. -#}
{% macro thai_digits_to_ascii(expr) -%}
    translate(cast({{ expr }} as text), '๐๑๒๓๔๕๖๗๘๙', '0123456789')
{%- endmacro %}
