{#- A date from typed text: 'YYYY-MM-DD' (a trailing time is ignored) or 'DD/MM/YYYY',
    Thai digits allowed, surrounding spaces ignored; the year is read in the field's
    era ('BE' or 'CE') by be_date_from_parts, with its rules for day/month 00 and
    impossible dates. Blank or unreadable text gives null, never an error. A date-typed
    argument works too (it is read through its ISO text form). -#}
{% macro parse_thai_date(expr, era='BE') -%}
    (
        select {{ be_date_from_parts('typed.parts[1]', 'typed.parts[2]', 'typed.parts[3]', era) }}
        from (
            select
                regexp_match(
                    regexp_replace(
                        {{ code_lookup_key(expr) }},
                        '^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?=$|[ T])', '\3-\2-\1'
                    ),
                    '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T].*)?$'
                ) as parts
            offset 0
        ) as typed
    )
{%- endmacro %}
