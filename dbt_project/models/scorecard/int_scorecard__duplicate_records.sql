-- Census records the de-duplication folded into another record of the same person in the
-- same affiliation: one learner entered twice by one source (Ed-DQAF 3.2 uniqueness). The
-- first record of the person in the affiliation (the one kept, else the latest) stays; the
-- others are listed with the key of the record they repeat.
with census as (

    -- persons with more than one record in the census
    select * from {{ ref('int_enrolment_deduplicated') }}
    where records_merged > 1

),

ranked as (

    select
        census.*,
        row_number() over person_in_affiliation as record_no_in_affiliation,
        first_value(census.record_key) over person_in_affiliation as first_record_key
    from census
    window person_in_affiliation as (
        partition by census.person_label, census.academic_year, census.term, census.affiliation
        order by
            census.is_kept desc,
            census.source_ts desc nulls last,
            census.record_key collate "C"
    )

)

select
    source,
    batch_id,
    affiliation,
    academic_year,
    term,
    record_key,
    container,
    locator,
    district_code,
    first_record_key
from ranked
where record_no_in_affiliation > 1
