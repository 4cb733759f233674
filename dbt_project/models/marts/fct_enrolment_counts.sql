-- The counts every enrolment indicator reads: unit records (fct_enrolment) and ONAB's
-- aggregate cells (split into repeaters and non-repeaters), one row per combination.
-- Incremental by census (config in fct_enrolment_counts.yml): a run recomputes the
-- censuses of int_changed_censuses, and those only ONAB has.
with records as (

    select
        academic_year, term, affiliation, unit_key, district_code, province_code, grade,
        isced, level, sex, age, is_repeater,
        count(*) as learners,
        count(*) filter (where is_repeater) as repeaters,
        false as from_aggregate
    from {{ ref('fct_enrolment') }}
    where {{ changed_censuses_filter() }}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

),

onab_batches as (

    select academic_year, term, max(batch_id) as batch_id
    from {{ ref('stg_onab_report__enrolment') }}
    group by 1, 2

),

onab_cells as (

    select onab.*, placements.district_code, placements.province_code
    from {{ ref('stg_onab_report__enrolment') }} as onab
    inner join onab_batches
        on onab.batch_id = onab_batches.batch_id
    left join {{ ref('int_unit_placements') }} as placements
        on 'ONAB|' || onab.unit_code = placements.unit_key
        and onab.academic_year = placements.academic_year
        and onab.term = placements.term
    where onab.grade is not null
        and {{ changed_or_unmarked_censuses_filter('onab.academic_year', 'onab.term') }}

),

onab_split as (

    select academic_year, term, unit_code, district_code, province_code, grade, isced, level,
        sex, age, true as is_repeater, repeaters as learners, repeaters
    from onab_cells
    union all
    select academic_year, term, unit_code, district_code, province_code, grade, isced, level,
        sex, age, false, learners - repeaters, 0
    from onab_cells

),

onab as (

    select
        academic_year, term, 'ONAB' as affiliation, 'ONAB|' || unit_code as unit_key,
        district_code, province_code, grade, isced, level, sex, age, is_repeater,
        sum(learners) as learners,
        sum(repeaters) as repeaters,
        true as from_aggregate
    from onab_split
    where learners > 0
        and starts_with(district_code, province_code)
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

),

final as (

    select * from records
    union all
    select * from onab

)

select
    academic_year,
    term,
    affiliation,
    unit_key,
    district_code,
    province_code,
    grade,
    isced,
    level,
    sex,
    age,
    is_repeater,
    cast(learners as integer) as learners,
    cast(repeaters as integer) as repeaters,
    from_aggregate
from final
