{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_stale_rows(changed_censuses_filter()) }}"
    )
}}

-- The "multiple enrolment" cases of the scorecard: persons found in several records of one
-- census, folded into one enrolment (indicators.md §1.5).
with deduplicated as (

    select * from {{ ref('int_enrolment_deduplicated') }}
    where {{ changed_censuses_filter() }}

),

final as (

    select
        academic_year,
        term,
        person_label as person_key,
        count(*) as records_merged,
        count(*) - 1 as records_folded,
        count(distinct affiliation) as affiliations,
        string_agg(distinct affiliation, ',') as affiliation_list,
        max(case when is_kept then affiliation end) as kept_affiliation,
        max(case when is_kept then unit_key end) as kept_unit_key
    from deduplicated
    group by 1, 2, 3
    having count(*) > 1

)

select * from final
