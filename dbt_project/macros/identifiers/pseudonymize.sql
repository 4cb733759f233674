{#- The keyed pseudonym (HMAC-SHA256, hex) of a normalized identifier; null for null.
    The key never passes through dbt: the database function (installed with the key by
    edu_platform.pseudonym_key.install_pseudonym_function) reads it from a table that
    only its owner can read, so no compiled or logged SQL holds it. -#}
{% macro pseudonymize(normalized_expr) -%}
    {{ var('pseudonym_function', 'edu_private.pseudonym') }}(cast({{ normalized_expr }} as text))
{%- endmacro %}
