{#- The form in which a typed code is looked up in a crosswalk seed: Thai digits read
    as ASCII, zero-width spaces removed, runs of white space (no-break space included)
    collapsed to one space, trimmed; blank -> null. -#}
{% macro code_lookup_key(expr) -%}
    nullif(
        btrim(
            regexp_replace(
                regexp_replace({{ thai_digits_to_ascii(expr) }}, '\u200b', '', 'g'),
                '[[:space:]\u00a0]+', ' ', 'g'
            )
        ),
        ''
    )
{%- endmacro %}
