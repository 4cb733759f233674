{#- Ed-DQAF 3.2 uniqueness, from the de-duplication of each census (formal learners):
    duplicate_records_in_source = records folded into another record of the same person
    in the same affiliation (int_scorecard__duplicate_records); persons_in_several_affiliations
    = persons with records in more than one affiliation (int_multiple_enrolments), each
    counted under every affiliation and district where it has a record and once in the
    totals (counted_key). Every affiliation and district with census records gets a row,
    0 when clean. -#}

with census as (

    select * from {{ ref('int_enrolment_deduplicated') }}
    where {{ changed_censuses_filter() }}

),

groups as (

    select distinct academic_year, term, affiliation, district_code
    from census

),

duplicates as (

    select academic_year, term, affiliation, district_code, count(*) as records
    from {{ ref('int_scorecard__duplicate_records') }}
    where {{ changed_censuses_filter() }}
    group by 1, 2, 3, 4

),

duplicate_records as (

    select
        groups.academic_year,
        groups.term,
        groups.affiliation,
        groups.district_code,
        'duplicate_records_in_source' as measure,
        coalesce(duplicates.records, 0) as numerator,
        cast(null as text) as counted_key
    from groups
    left join duplicates
        on groups.academic_year = duplicates.academic_year
        and groups.term = duplicates.term
        and groups.affiliation = duplicates.affiliation
        and groups.district_code is not distinct from duplicates.district_code

),

persons_in_several as (

    select distinct
        census.academic_year,
        census.term,
        census.affiliation,
        census.district_code,
        census.person_label
    from census
    inner join {{ ref('int_multiple_enrolments') }} as multiple
        on census.academic_year = multiple.academic_year
        and census.term = multiple.term
        and census.person_label = multiple.person_key
    where multiple.affiliations > 1

),

several_affiliations as (

    select
        academic_year,
        term,
        affiliation,
        district_code,
        'persons_in_several_affiliations' as measure,
        0 as numerator,
        cast(null as text) as counted_key
    from groups

    union all

    select
        academic_year,
        term,
        affiliation,
        district_code,
        'persons_in_several_affiliations',
        null,
        person_label
    from persons_in_several

),

unioned as (

    select * from duplicate_records
    union all
    select * from several_affiliations

)

select
    academic_year,
    term,
    affiliation,
    district_code,
    '3.2-uniqueness' as dqaf_line,
    measure,
    cast(numerator as double precision) as numerator,
    cast(null as double precision) as denominator,
    counted_key,
    cast(null as text) as detail_item
from unioned
