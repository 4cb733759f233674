{#- NFE_ENR (indicators.md §5): distinct DLP learners registered in semester 1 of Y, by
    DLP level, age group, area and sex; a count with no denominator, produced where the
    count is above 0. A learner registered in two districts counts in each, and once in
    the province. -#}

with registrations as (

    select *
    from {{ ref('fct_nfe_registration') }}
    where district_code like province_code || '%'

)

select
    'NFE_ENR' as indicator,
    registrations.academic_year,
    area.area_code,
    'ALL' as affiliation,
    registrations.nfe_level as level,
    '' as grade,
    registrations.age_group,
    sexes.sex,
    cast(count(distinct registrations.learner_key) as double precision) as value,
    cast(count(distinct registrations.learner_key) as double precision) as numerator,
    cast(null as double precision) as denominator,
    'count' as unit,
    registrations.province_code
from registrations
cross join lateral (
    values (registrations.district_code), (registrations.province_code)
) as area (area_code)
cross join lateral (values ('T'), (registrations.sex)) as sexes (sex)
where sexes.sex is not null
group by registrations.academic_year, area.area_code, registrations.nfe_level,
    registrations.age_group, sexes.sex, registrations.province_code
