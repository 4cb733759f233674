-- Ed-DQAF 3.2 validity, per affiliation, census and district of the records' units: the
-- records as they stand with a usable ID (valid checksum or G-code), a known grade, a
-- birth date plausible for the grade, a known sex (int_scorecard__record_checks).
with counts as (

    select
        academic_year,
        term,
        affiliation,
        district_code,
        count(*) as records,
        count(*) filter (where has_valid_id) as valid_ids,
        count(*) filter (where has_known_grade) as known_grades,
        count(*) filter (where has_plausible_birth_date) as plausible_birth_dates,
        count(*) filter (where has_known_sex) as known_sexes
    from {{ ref('int_scorecard__record_checks') }}
    group by 1, 2, 3, 4

)

select
    counts.academic_year,
    counts.term,
    counts.affiliation,
    counts.district_code,
    '3.2' as dqaf_line,
    measures.measure,
    cast(measures.numerator as double precision) as numerator,
    cast(counts.records as double precision) as denominator,
    cast(null as text) as counted_key,
    cast(null as text) as detail_item
from counts
cross join lateral (
    values
        ('valid_id_rate', counts.valid_ids),
        ('known_grade_rate', counts.known_grades),
        ('plausible_birth_date_rate', counts.plausible_birth_dates),
        ('known_sex_rate', counts.known_sexes)
) as measures (measure, numerator)
