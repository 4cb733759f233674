{#- The check digit of a Thai citizen ID computed from its first 12 characters:
    (11 - (sum of d_i * (14 - i), i = 1..12) mod 11) mod 10. Digits are read with
    ascii() - 48, which never raises an error: guard the call with a 13-digit pattern
    test (as person_id_class does), the result is meaningless otherwise. Pass a column
    or alias: the argument is repeated 12 times. -#}
{% macro citizen_id_check_digit(id_expr) -%}
    mod(11 - mod(
        {%- for i in range(1, 13) %}
        {{ "+ " if not loop.first }}(ascii(substr({{ id_expr }}, {{ i }}, 1)) - 48) * {{ 14 - i }}
        {%- endfor %}, 11), 10)
{%- endmacro %}
