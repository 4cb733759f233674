{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_stale_rows(changed_censuses_filter()) }}",
        post_hook="{{ add_primary_key('enrolment_key') }}",
        indexes=[{'columns': ['academic_year', 'term']}]
    )
}}

-- One row per learner per academic year and term: formal, census status studying, after
-- de-duplication (indicators.md §1), placed in a district of the province. Incremental by
-- census: a run recomputes the censuses of int_changed_censuses.
with deduplicated as (

    select * from {{ ref('int_enrolment_deduplicated') }}
    where is_kept
        and {{ changed_censuses_filter() }}

),

province as (

    select province_code from {{ ref('int_province') }}

),

final as (

    select
        md5(deduplicated.academic_year || '|' || deduplicated.term || '|' || deduplicated.person_label)
            as enrolment_key,
        deduplicated.academic_year,
        deduplicated.term,
        deduplicated.person_label as person_key,
        deduplicated.has_usable_id,
        deduplicated.id_class,
        deduplicated.affiliation,
        deduplicated.unit_key,
        deduplicated.district_code,
        province.province_code,
        deduplicated.grade,
        levels.isced,
        levels.level,
        deduplicated.sex,
        deduplicated.age,
        deduplicated.is_repeater,
        deduplicated.source,
        deduplicated.source_ts,
        cast(deduplicated.records_merged as integer) as records_merged
    from deduplicated
    cross join province
    inner join {{ ref('grade_levels') }} as levels
        on deduplicated.grade = levels.grade
    where starts_with(deduplicated.district_code, province.province_code)

)

select * from final
