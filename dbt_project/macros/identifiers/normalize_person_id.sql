{#- A typed citizen ID or G-code in its comparable form: Thai digits read as ASCII;
    dashes, dots and white space removed; upper case. Blank, 'NULL' (any case) and a
    lone '-' become null. Malformed values are kept (person_id_class says so). -#}
{% macro normalize_person_id(expr) -%}
    nullif(
        nullif(
            upper(
                regexp_replace(
                    {{ thai_digits_to_ascii(expr) }},
                    '[-.[:space:]\u00a0\u200b\u2010-\u2015]+', '', 'g'
                )
            ),
            ''
        ),
        'NULL'
    )
{%- endmacro %}
