{#- A date from typed year, month and day numbers, by the rules of indicators.md §2:
    the year is B.E. (minus 543) when era = 'BE'; in a C.E. field ('CE') a year of at
    least var('ce_field_be_year_threshold', 2400) is a B.E. year typed by mistake and is
    converted too (set the var to none to take C.E. fields as they are). Month 0 (unknown)
    gives 1 July, day 0 (unknown) the 15th; a date that does not exist (31/02, month 13),
    a year before C.E. 1 or a null part gives null, never an error. -#}
{% macro be_date_from_parts(year_expr, month_expr, day_expr, era='BE') -%}
    {%- set era = era | upper -%}
    {%- set threshold = var('ce_field_be_year_threshold', 2400) -%}
    {%- if era not in ('BE', 'CE') -%}
        {{ exceptions.raise_compiler_error("be_date_from_parts: era must be 'BE' or 'CE', got '" ~ era ~ "'") }}
    {%- endif -%}
    (
        select
            case
                when parts.ce_year is null or parts.month_no is null or parts.day_no is null then null
                when parts.ce_year < 1
                    or parts.month_no not between 0 and 12
                    or parts.day_no not between 0 and 31 then null
                when parts.month_no = 0 then make_date(parts.ce_year, 7, 1)
                when parts.day_no = 0 then make_date(parts.ce_year, parts.month_no, 15)
                when parts.day_no <= extract(
                        day from make_date(parts.ce_year, parts.month_no, 1) + interval '1 month - 1 day'
                    )
                    then make_date(parts.ce_year, parts.month_no, parts.day_no)
            end
        from (
            select
                {%- if era == 'BE' %}
                cast({{ year_expr }} as integer) - 543 as ce_year,
                {%- elif threshold is none %}
                cast({{ year_expr }} as integer) as ce_year,
                {%- else %}
                case
                    when cast({{ year_expr }} as integer) >= {{ threshold | int }}
                        then cast({{ year_expr }} as integer) - 543
                    else cast({{ year_expr }} as integer)
                end as ce_year,
                {%- endif %}
                cast({{ month_expr }} as integer) as month_no,
                cast({{ day_expr }} as integer) as day_no
            offset 0
        ) as parts
    )
{%- endmacro %}
