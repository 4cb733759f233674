{#- The class of a normalized person ID (see normalize_person_id): citizen_valid
    (13 digits, check digit right), citizen_invalid (13 digits, check digit wrong),
    gcode (G + 12 digits), malformed (anything else) or none (null). Only citizen_valid
    and gcode are usable for matching persons (seed id_classes). The argument is read
    once (a scalar subquery), so it may be an expression. -#}
{% macro person_id_class(normalized_expr) -%}
    (
        select
            case
                when typed.person_id is null then 'none'
                when typed.person_id ~ '^[0-9]{13}$' then
                    case
                        when ascii(substr(typed.person_id, 13, 1)) - 48
                            = {{ citizen_id_check_digit('typed.person_id') }}
                            then 'citizen_valid'
                        else 'citizen_invalid'
                    end
                when typed.person_id ~ '^G[0-9]{12}$' then 'gcode'
                else 'malformed'
            end
        from (select cast({{ normalized_expr }} as text) as person_id offset 0) as typed
    )
{%- endmacro %}
