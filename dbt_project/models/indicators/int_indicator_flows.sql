{#- Reconstructed-cohort flow rates (indicators.md §5), labelled with year t, for every t
    whose next year t+1 has a term-1 census too, by grade g of year t, area and sex:
      REP   = R(g, t+1) / E(g, t)                                     grades P1-P6, M1-M6
      PROM  = (E(g+1, t+1) - R(g+1, t+1)) / E(g, t)       P1-P5, M1-M2, M4-M5 (g+1 in g's level)
      DROP  = (E(g, t) - promotees - repeaters) / E(g, t) = 100 - PROM - REP
      TRANS = (E(M1, t+1) - R(M1, t+1)) / (E(P6, t) - R(P6, t+1)), labelled grade P6
    Only the affiliations that report repeaters (seed `affiliations`: OBEC, OVEC, OPEC,
    ONAB); learners whose kept record is a DLA one are left out of both years. -#}

with census as (

    select fct_enrolment_counts.*
    from {{ ref('fct_enrolment_counts') }} as fct_enrolment_counts
    inner join {{ ref('affiliations') }} as affiliations
        on fct_enrolment_counts.affiliation = affiliations.code
    where fct_enrolment_counts.term = 1
      and affiliations.reports_repeaters
      and fct_enrolment_counts.district_code like fct_enrolment_counts.province_code || '%'

),

census_years as (

    -- any formal census counts (DLA's included) for "t+1 has a census"
    select distinct academic_year
    from {{ ref('fct_enrolment_counts') }}
    where term = 1

),

grade_steps as (

    -- grades of the flow rates (ป. and ม.) and the next grade of the same series; the
    -- step is a promotion when the next grade is in the same level (ม.3 -> ม.4 is not)
    select
        grade.grade,
        next_grade.grade as next_grade,
        next_grade.level = grade.level as promotes_within_level
    from {{ ref('dim_level') }} as grade
    left join {{ ref('dim_level') }} as next_grade
        on left(next_grade.grade, 1) = left(grade.grade, 1)
        and next_grade.grade_order = grade.grade_order + 1
    where left(grade.grade, 1) in ('P', 'M')

),

counts as (

    -- E and R by year, area (district and province), sex (T, M, F) and grade
    select
        census.academic_year,
        census.province_code,
        area.area_code,
        sexes.sex,
        census.grade,
        sum(census.learners) as enrolled,
        sum(coalesce(census.repeaters, 0)) as repeaters
    from census
    cross join lateral (values (census.district_code), (census.province_code)) as area (area_code)
    cross join lateral (values ('T'), (census.sex)) as sexes (sex)
    where sexes.sex is not null
    group by 1, 2, 3, 4, 5

),

pairs as (

    -- E(g, t) with R(g, t+1) and the new entrants E - R of g+1 and of M1 at t+1
    select
        now.academic_year,
        now.province_code,
        now.area_code,
        now.sex,
        now.grade,
        grade_steps.promotes_within_level,
        cast(now.enrolled as double precision) as enrolled,
        cast(coalesce(same_grade.repeaters, 0) as double precision) as repeaters,
        cast(coalesce(next_grade.enrolled - next_grade.repeaters, 0) as double precision)
            as promotees,
        cast(coalesce(first_secondary.enrolled - first_secondary.repeaters, 0)
            as double precision) as entrants_m1
    from counts as now
    inner join grade_steps on now.grade = grade_steps.grade
    inner join census_years on census_years.academic_year = now.academic_year + 1
    left join counts as same_grade
        on same_grade.academic_year = now.academic_year + 1
        and same_grade.area_code = now.area_code
        and same_grade.sex = now.sex
        and same_grade.grade = now.grade
    left join counts as next_grade
        on next_grade.academic_year = now.academic_year + 1
        and next_grade.area_code = now.area_code
        and next_grade.sex = now.sex
        and next_grade.grade = grade_steps.next_grade
    left join counts as first_secondary
        on first_secondary.academic_year = now.academic_year + 1
        and first_secondary.area_code = now.area_code
        and first_secondary.sex = now.sex
        and first_secondary.grade = 'M1'
        and now.grade = 'P6'

),

cells as (

    select 'REP' as indicator, pairs.*, repeaters as numerator, enrolled as denominator
    from pairs

    union all

    select 'PROM', pairs.*, promotees, enrolled
    from pairs
    where promotes_within_level

    union all

    select 'DROP', pairs.*, enrolled - promotees - repeaters, enrolled
    from pairs
    where promotes_within_level

    union all

    select 'TRANS', pairs.*, entrants_m1, enrolled - repeaters
    from pairs
    where grade = 'P6'

)

select
    indicator,
    academic_year,
    area_code,
    'ALL' as affiliation,
    '' as level,
    grade,
    '' as age_group,
    sex,
    100 * numerator / denominator as value,
    numerator,
    denominator,
    'percent' as unit,
    province_code
from cells
where denominator > 0
