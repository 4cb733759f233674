{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_stale_rows(changed_censuses_filter()) }}",
        indexes=[{'columns': ['academic_year', 'term']}]
    )
}}

-- indicators.md §1.3-1.4: formal records whose status means "studying", per census
-- (term 1 is the enrolment census; term 2 is kept for the term-2 figures).
select *
from {{ ref('int_learner_records_latest') }}
where {{ changed_censuses_filter() }}
    and is_formal
    and is_studying
    and grade is not null
