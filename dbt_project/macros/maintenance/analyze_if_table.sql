{#- `analyze` of the model just built when it is a table (a view has no statistics of
    its own); empty otherwise, and dbt skips an empty hook. -#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
