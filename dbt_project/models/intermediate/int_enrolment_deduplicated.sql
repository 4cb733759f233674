{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_stale_rows(changed_censuses_filter()) }}",
        indexes=[{'columns': ['academic_year', 'term', 'is_kept']}]
    )
}}

-- indicators.md §1.5-1.6, one person one enrolment per census: keep the latest source_ts;
-- on a tie the higher ISCED (seed isced_order); then the smallest (affiliation, unit code,
-- source key). A record without a usable ID is its own person (a pseudonym of its source
-- key) and is never matched. Every census record is here, with is_kept and records_merged.
with census as (

    select * from {{ ref('int_enrolment_census') }}
    where {{ changed_censuses_filter() }}

),

links as (

    select * from {{ ref('int_person_links') }}
    where link_scope = 'census'
        and {{ changed_censuses_filter() }}

),

labelled as (

    select
        census.*,
        case
            when census.has_usable_id then links.person_label
            else {{ pseudonymize("census.source || '|' || census.record_key") }}
        end as person_label
    from census
    left join links
        on census.has_usable_id
        and census.academic_year = links.academic_year
        and census.term = links.term
        and census.person_key = links.person_key

),

ranked as (

    select
        labelled.*,
        -- the person first: the sort compares mostly its first column (abbreviated keys)
        row_number() over (
            partition by labelled.person_label, labelled.academic_year, labelled.term
            order by
                labelled.source_ts desc nulls last,
                isced_order.isced_rank desc nulls last,
                labelled.affiliation collate "C",
                labelled.unit_code collate "C",
                labelled.record_key collate "C"
        ) as person_record_no,
        count(*) over (
            partition by labelled.person_label, labelled.academic_year, labelled.term
        ) as records_merged
    from labelled
    left join {{ ref('isced_order') }} as isced_order
        on labelled.isced = isced_order.isced

),

placed as (

    select
        ranked.*,
        ranked.person_record_no = 1 as is_kept,
        placements.district_code,
        placements.reporting_unit_key,
        placements.is_closed as unit_closed
    from ranked
    left join {{ ref('int_unit_placements') }} as placements
        on ranked.unit_key = placements.unit_key
        and ranked.academic_year = placements.academic_year
        and ranked.term = placements.term

)

select * from placed
