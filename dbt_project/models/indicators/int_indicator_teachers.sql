{#- Teacher indicators (indicators.md §5, "Teachers"), sex T only, for every academic
    year with a term-1 census: PTR = E(level) / teachers' FTE by level, area and
    affiliation (ALL included; cells where the FTE is above 0), QUAL_TCH and CERT_TCH =
    headcount with a bachelor's degree or more / with a teaching licence over the
    headcount, by level and area (each teacher once in every level taught). -#}
{%- set ratio_levels = ["pre_primary", "primary", "lower_secondary", "upper_secondary"] %}

with census as (

    select *
    from {{ ref('fct_enrolment_counts') }}
    where term = 1
      and district_code like province_code || '%'
      and level in ('{{ ratio_levels | join("', '") }}')

),

census_years as (

    select distinct academic_year from census

),

teachers as (

    -- each teacher-level row once for its district and once for the province
    select
        fct_teacher.academic_year,
        fct_teacher.province_code,
        area.area_code,
        fct_teacher.affiliation,
        fct_teacher.level,
        fct_teacher.fte,
        fct_teacher.headcount,
        fct_teacher.with_bachelor,
        fct_teacher.with_license
    from {{ ref('fct_teacher') }} as fct_teacher
    inner join census_years on fct_teacher.academic_year = census_years.academic_year
    cross join lateral (
        values (fct_teacher.district_code), (fct_teacher.province_code)
    ) as area (area_code)
    where fct_teacher.term = 1
      and fct_teacher.district_code like fct_teacher.province_code || '%'
      and fct_teacher.level in ('{{ ratio_levels | join("', '") }}')

),

fte as (

    select
        teachers.academic_year,
        teachers.province_code,
        teachers.area_code,
        affiliation_cells.affiliation,
        teachers.level,
        sum(teachers.fte) as fte
    from teachers
    cross join lateral (values ('ALL'), (teachers.affiliation)) as affiliation_cells (affiliation)
    group by 1, 2, 3, 4, 5

),

pupils as (

    -- learners of any age and sex, by the affiliation of their kept record
    select
        census.academic_year,
        area.area_code,
        affiliation_cells.affiliation,
        census.level,
        sum(census.learners) as learners
    from census
    cross join lateral (values (census.district_code), (census.province_code)) as area (area_code)
    cross join lateral (values ('ALL'), (census.affiliation)) as affiliation_cells (affiliation)
    group by 1, 2, 3, 4

),

headcounts as (

    select
        academic_year,
        province_code,
        area_code,
        level,
        sum(headcount) as headcount,
        sum(with_bachelor) as with_bachelor,
        sum(with_license) as with_license
    from teachers
    group by 1, 2, 3, 4

),

cells as (

    select
        'PTR' as indicator,
        fte.academic_year,
        fte.area_code,
        fte.affiliation,
        fte.level,
        cast(coalesce(pupils.learners, 0) as double precision) as numerator,
        cast(fte.fte as double precision) as denominator,
        'pupils_per_teacher' as unit,
        fte.province_code
    from fte
    left join pupils
        on fte.academic_year = pupils.academic_year
        and fte.area_code = pupils.area_code
        and fte.affiliation = pupils.affiliation
        and fte.level = pupils.level
    where fte.fte > 0

    union all

    select
        'QUAL_TCH', academic_year, area_code, 'ALL', level,
        cast(with_bachelor as double precision), cast(headcount as double precision),
        'percent', province_code
    from headcounts
    where headcount > 0

    union all

    select
        'CERT_TCH', academic_year, area_code, 'ALL', level,
        cast(with_license as double precision), cast(headcount as double precision),
        'percent', province_code
    from headcounts
    where headcount > 0

)

select
    indicator,
    academic_year,
    area_code,
    affiliation,
    level,
    '' as grade,
    '' as age_group,
    'T' as sex,
    case
        when unit = 'percent' then 100 * numerator / denominator
        else numerator / denominator
    end as value,
    numerator,
    denominator,
    unit,
    province_code
from cells
