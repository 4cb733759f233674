{#- True-cohort flow rates (indicators.md §5) from fct_cohort_link: of the persons (usable
    ID) in grade g at the census of t, the share that at the census of t+1 is in grade g
    (REP_COHORT, P1-P6, M1-M6), in grade g+1 of the same level (PROM_COHORT, P1-P5, M1-M2,
    M4-M5), enrolled nowhere in the province (DROP_COHORT, same grades) or, of P6, in M1
    (TRANS_COHORT, labelled P6). Labelled t; only years whose t+1 has a census; area and
    sex of the census-t record. -#}

with links as (

    select
        fct_cohort_link.academic_year,
        fct_cohort_link.grade,
        fct_cohort_link.district_code,
        dim_area.province_code,
        fct_cohort_link.sex,
        fct_cohort_link.next_grade
    from {{ ref('fct_cohort_link') }} as fct_cohort_link
    inner join {{ ref('dim_area') }} as dim_area
        on fct_cohort_link.district_code = dim_area.area_code
        and dim_area.area_level = 'district'
    where fct_cohort_link.next_year_has_census

),

grade_steps as (

    -- as in int_indicator_flows: ป. and ม. grades, the next grade of the same series
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

persons as (

    select
        links.academic_year,
        links.province_code,
        area.area_code,
        sexes.sex,
        links.grade,
        grade_steps.promotes_within_level,
        case when links.next_grade = links.grade then 1 else 0 end as repeats,
        case when links.next_grade = grade_steps.next_grade then 1 else 0 end as promoted,
        case when links.next_grade is null then 1 else 0 end as left_province,
        case when links.grade = 'P6' and links.next_grade = 'M1' then 1 else 0 end as moved_on
    from links
    inner join grade_steps on links.grade = grade_steps.grade
    cross join lateral (values (links.district_code), (links.province_code)) as area (area_code)
    cross join lateral (values ('T'), (links.sex)) as sexes (sex)
    where sexes.sex is not null

),

totals as (

    select
        academic_year,
        province_code,
        area_code,
        sex,
        grade,
        bool_and(promotes_within_level) as promotes_within_level,
        count(*) as persons,
        sum(repeats) as repeats,
        sum(promoted) as promoted,
        sum(left_province) as left_province,
        sum(moved_on) as moved_on
    from persons
    group by 1, 2, 3, 4, 5

),

cells as (

    select 'REP_COHORT' as indicator, totals.*, repeats as numerator
    from totals

    union all

    select 'PROM_COHORT', totals.*, promoted
    from totals
    where promotes_within_level

    union all

    select 'DROP_COHORT', totals.*, left_province
    from totals
    where promotes_within_level

    union all

    select 'TRANS_COHORT', totals.*, moved_on
    from totals
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
    cast(100.0 * numerator / persons as double precision) as value,
    cast(numerator as double precision) as numerator,
    cast(persons as double precision) as denominator,
    'percent' as unit,
    province_code
from cells
