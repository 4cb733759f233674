{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "set enable_nestloop = off",
            "{{ delete_stale_rows(changed_cohort_years_filter()) }}",
        ],
        post_hook=["reset enable_nestloop"],
        indexes=[{'columns': ['academic_year']}]
    )
}}

-- True-cohort links: one row per person with a usable ID in the term-1 census of year t,
-- with the grade of the same person at the census of t+1. Persons are the components over
-- the IDs of both censuses (int_person_links, scope `cohort`); one kept record per person
-- and census by the §1.5 tie-breaks; records placed outside the province are left out.
-- Incremental by cohort year: a run recomputes the years t whose census of t or t + 1
-- changed (int_changed_censuses).
with census as (

    -- only the columns used below: the rows are sorted for the ranking, width is time
    select
        academic_year, term, person_key, unit_key, affiliation, unit_code, record_key,
        source_ts, isced, grade, sex
    from {{ ref('int_enrolment_census') }}
    where term = 1
        and has_usable_id
        and (
            {{ changed_cohort_years_filter() }}
            or {{ changed_cohort_years_filter('academic_year - 1') }}
        )

),

links as (

    select * from {{ ref('int_person_links') }}
    where link_scope = 'cohort'
        and {{ changed_cohort_years_filter() }}

),

province as (

    select province_code from {{ ref('int_province') }}

),

-- each census record in the scope of t (its own year) and of t - 1 (as year t + 1)
scoped as (

    select census.*, census.academic_year as cohort_year
    from census
    where {{ changed_cohort_years_filter('census.academic_year') }}
    union all
    select census.*, census.academic_year - 1
    from census
    where {{ changed_cohort_years_filter('census.academic_year - 1') }}

),

labelled as (

    select
        scoped.*,
        links.person_label,
        placements.district_code
    from scoped
    inner join links
        on scoped.cohort_year = links.academic_year
        and scoped.person_key = links.person_key
    left join {{ ref('int_unit_placements') }} as placements
        on scoped.unit_key = placements.unit_key
        and scoped.academic_year = placements.academic_year
        and scoped.term = placements.term
    cross join province
    where starts_with(placements.district_code, province.province_code)

),

ranked as (

    select
        labelled.*,
        -- the person first: the sort compares mostly its first column (abbreviated keys)
        row_number() over (
            partition by labelled.person_label, labelled.cohort_year, labelled.academic_year
            order by
                labelled.source_ts desc nulls last,
                isced_order.isced_rank desc nulls last,
                labelled.affiliation collate "C",
                labelled.unit_code collate "C",
                labelled.record_key collate "C"
        ) as person_record_no
    from labelled
    left join {{ ref('isced_order') }} as isced_order
        on labelled.isced = isced_order.isced

),

kept as (

    select * from ranked where person_record_no = 1

),

now_census as (

    select * from kept where academic_year = cohort_year

),

next_census as (

    select * from kept where academic_year = cohort_year + 1

),

years_with_census as (

    select distinct academic_year from {{ ref('int_enrolment_census') }}
    where term = 1 and {{ changed_cohort_years_filter('academic_year - 1') }}
    union
    select distinct academic_year from {{ ref('stg_onab_report__enrolment') }} where term = 1

),

final as (

    select
        now_census.academic_year,
        now_census.person_label as person_key,
        now_census.grade,
        now_census.district_code,
        province.province_code,
        now_census.sex,
        next_census.grade as next_grade,
        years_with_census.academic_year is not null as next_year_has_census
    from now_census
    cross join province
    left join next_census
        on now_census.cohort_year = next_census.cohort_year
        and now_census.person_label = next_census.person_label
    left join years_with_census
        on now_census.academic_year + 1 = years_with_census.academic_year

)

select * from final
