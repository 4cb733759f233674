{#- Age in completed years on the reference day (var age_reference_month_day, default
    '05-16': 16 May) of C.E. year academic_year - 543, per indicators.md §2. Null
    (unknown) when the birth date is null, lies after the term-1 census date (var
    census_month_day, default '06-10': 10 June) of that year, or gives an age outside
    bounded_age's plausible range (2-99). academic_year_expr is the B.E. year. -#}
{% macro age_on_reference(birth_date_expr, academic_year_expr) -%}
    {%- set ref_month, ref_day = month_day_setting('age_reference_month_day', '05-16') -%}
    {%- set census_month, census_day = month_day_setting('census_month_day', '06-10') -%}
    (
        select {{ bounded_age('reckoned.age_years') }}
        from (
            select
                case
                    when dates.birth_date <= dates.census_date
                        then cast(extract(year from age(dates.reference_date, dates.birth_date)) as integer)
                end as age_years
            from (
                select
                    cast({{ birth_date_expr }} as date) as birth_date,
                    make_date(cast({{ academic_year_expr }} as integer) - 543, {{ ref_month }}, {{ ref_day }})
                        as reference_date,
                    make_date(cast({{ academic_year_expr }} as integer) - 543, {{ census_month }}, {{ census_day }})
                        as census_date
                offset 0
            ) as dates
            offset 0
        ) as reckoned
    )
{%- endmacro %}
