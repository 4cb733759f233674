-- The censuses (academic_year, term) that have learner records: those of int_learner_records,
-- where every census with a record keeps its latest one. Read from int_learner_records_latest
-- a census at a time, down its (academic_year, term, affiliation) index: a distinct over the
-- view read and pseudonymized every staged record (1.6 s at Rayong, in each of two models).
-- A learner batch always carries its census, so no census here is null.
with recursive censuses as (

    (
        select academic_year, term
        from {{ ref('int_learner_records_latest') }}
        where academic_year is not null and term is not null
        order by academic_year, term
        limit 1
    )

    union all

    select next_census.academic_year, next_census.term
    from censuses
    cross join lateral (
        select records.academic_year, records.term
        from {{ ref('int_learner_records_latest') }} as records
        where (records.academic_year, records.term) > (censuses.academic_year, censuses.term)
        order by records.academic_year, records.term
        limit 1
    ) as next_census

)

select academic_year, term from censuses
