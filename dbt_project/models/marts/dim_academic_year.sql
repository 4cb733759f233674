-- Academic years with data, their reference and census dates and the DOPA year used.
{%- set ref_month, ref_day = month_day_setting('age_reference_month_day', '05-16') -%}
{%- set census_month, census_day = month_day_setting('census_month_day', '06-10') %}
with years as (

    select academic_year from {{ ref('int_learner_censuses') }}
    union
    select distinct academic_year from {{ ref('stg_onab_report__enrolment') }}

),

population_years as (

    select distinct ce_year from {{ ref('fct_population') }}

),

province as (

    select province_code from {{ ref('int_province') }}

),

final as (

    select
        years.academic_year,
        years.academic_year - 543 as ce_start_year,
        make_date(years.academic_year - 543, {{ ref_month }}, {{ ref_day }}) as age_reference_date,
        make_date(years.academic_year - 543, {{ census_month }}, {{ census_day }}) as census_date_term1,
        make_date(years.academic_year - 543, 11, 10) as census_date_term2,
        (
            select max(population_years.ce_year)
            from population_years
            where population_years.ce_year <= years.academic_year - 544
        ) as population_ce_year,
        province.province_code
    from years
    cross join province
    where years.academic_year is not null

)

select
    academic_year,
    ce_start_year,
    age_reference_date,
    census_date_term1,
    census_date_term2,
    population_ce_year,
    population_ce_year is distinct from academic_year - 544 as population_fallback,
    province_code
from final
