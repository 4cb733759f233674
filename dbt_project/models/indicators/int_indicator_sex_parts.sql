{#- For the error gate "T = M + F + learners of unknown sex" (quality.md): the count
    numerators of GER (every affiliation and ALL) and NFE_ENR by sex T, M and F as
    published, next to sex 'U' = the learners of unknown sex counted straight from the
    marts (for the cells that exist). Tested with totals_equal_sum_of_parts. -#}
{%- set ratio_levels = ["pre_primary", "primary", "lower_secondary", "upper_secondary"] %}

with published as (

    select indicator, academic_year, area_code, affiliation, level, age_group, sex, numerator
    from {{ ref('indicators') }}
    where indicator in ('GER', 'NFE_ENR')

),

unknown_sex_enrolment as (

    select
        'GER' as indicator,
        counts.academic_year,
        area.area_code,
        affiliation_cells.affiliation,
        counts.level,
        '' as age_group,
        sum(counts.learners) as numerator
    from {{ ref('fct_enrolment_counts') }} as counts
    cross join lateral (values (counts.district_code), (counts.province_code)) as area (area_code)
    cross join lateral (values ('ALL'), (counts.affiliation)) as affiliation_cells (affiliation)
    where counts.term = 1
      and counts.sex is null
      and counts.level in ('{{ ratio_levels | join("', '") }}')
    group by 1, 2, 3, 4, 5, 6

),

unknown_sex_nfe as (

    select
        'NFE_ENR' as indicator,
        registrations.academic_year,
        area.area_code,
        'ALL' as affiliation,
        registrations.nfe_level as level,
        registrations.age_group,
        count(distinct registrations.learner_key) as numerator
    from {{ ref('fct_nfe_registration') }} as registrations
    cross join lateral (
        values (registrations.district_code), (registrations.province_code)
    ) as area (area_code)
    where registrations.sex is null
    group by 1, 2, 3, 4, 5, 6

),

unknown_sex as (

    select * from unknown_sex_enrolment
    union all
    select * from unknown_sex_nfe

)

select * from published

union all

select
    unknown_sex.indicator,
    unknown_sex.academic_year,
    unknown_sex.area_code,
    unknown_sex.affiliation,
    unknown_sex.level,
    unknown_sex.age_group,
    'U' as sex,
    cast(unknown_sex.numerator as double precision) as numerator
from unknown_sex
inner join published
    on unknown_sex.indicator = published.indicator
    and unknown_sex.academic_year = published.academic_year
    and unknown_sex.area_code = published.area_code
    and unknown_sex.affiliation = published.affiliation
    and unknown_sex.level = published.level
    and unknown_sex.age_group = published.age_group
    and published.sex = 'T'
