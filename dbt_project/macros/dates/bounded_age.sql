{#- An age in years kept only when plausible: between var('age_min_plausible', 2) and
    var('age_max_plausible', 99), both included; otherwise null (unknown). Used for ages
    computed from birth dates and for ages typed by hand (DLA). -#}
{% macro bounded_age(age_expr) -%}
    case
        when {{ age_expr }} between {{ var('age_min_plausible', 2) | int }} and {{ var('age_max_plausible', 99) | int }}
            then cast({{ age_expr }} as integer)
    end
{%- endmacro %}
