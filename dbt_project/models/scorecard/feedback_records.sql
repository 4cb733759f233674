{#- What each affiliation must fix at its source, by its own record keys (quality.md:
    each affiliation gets its quarantined and failing records). quarantined = every row of
    raw.quarantine (a record, or a whole file keyed by its path), with its reason code;
    doubtful = records loaded but flagged (int_scorecard__record_checks, the latest
    version of each record): an ID that is blank, malformed or fails its checksum, a
    grade no crosswalk knows (DLP levels are loaded as they come), an unknown or
    impossible birth date, an age implausible for the grade, a typed age that disagrees
    with the birth date, a sex neither the code nor the name prefix gives; and a learner
    entered twice by the same source. Read only by the affiliation's own role: record
    keys may hold clear IDs. -#}

with province as (

    select province_code from {{ ref('int_province') }}

),

quarantined as (

    select
        affiliations.affiliation,
        quarantine.source,
        quarantine.entity,
        quarantine.academic_year,
        quarantine.term,
        quarantine.record_key,
        quarantine.container as locator,
        'quarantined' as problem,
        quarantine.reason,
        quarantine.detail
    from {{ source('raw_zone', 'quarantine') }} as quarantine
    left join {{ ref('int_scorecard__source_affiliations') }} as affiliations
        on quarantine.source = affiliations.source

),

-- the raw entity each loaded record was delivered as (students, enrollments, learners...)
batch_entities as (

    select batch_id, entity from {{ ref('int_scorecard__batches') }}

),

-- only the records some check fails (a few percent of them)
checks as (

    select checks.*, batch_entities.entity
    from {{ ref('int_scorecard__record_checks') }} as checks
    left join batch_entities
        on checks.batch_id = batch_entities.batch_id
    where not checks.has_valid_id
        or not checks.has_known_grade
        or not checks.has_plausible_birth_date
        or checks.typed_age_disagrees
        or not checks.has_known_sex

),

failed_checks as (

    select
        checks.affiliation,
        checks.source,
        checks.entity,
        checks.academic_year,
        checks.term,
        checks.record_key,
        concat_ws(' ', checks.container, checks.locator) as locator,
        'doubtful' as problem,
        failures.reason,
        failures.detail
    from checks
    cross join lateral (
        values
            (
                case checks.id_class
                    when 'none' then 'missing_id'
                    when 'malformed' then 'malformed_id'
                    when 'citizen_invalid' then 'invalid_id_checksum'
                end,
                not checks.has_valid_id,
                format('ID class %s', checks.id_class)
            ),
            (
                'unknown_grade',
                not checks.has_known_grade,
                'grade or level that no crosswalk knows'
            ),
            (
                'unknown_birth_date',
                not checks.has_birth_date,
                'birth date blank or impossible'
            ),
            (
                'implausible_age_for_grade',
                checks.has_birth_date and not checks.has_plausible_birth_date,
                format('age %s from the birth date, grade %s (intended age %s)',
                    coalesce(cast(checks.age_from_birth as text), 'out of range'),
                    checks.grade, checks.intended_age)
            ),
            (
                'age_disagrees_with_birth_date',
                checks.typed_age_disagrees,
                format('typed age %s, %s from the birth date', checks.typed_age, checks.age_from_birth)
            ),
            (
                'unknown_sex',
                not checks.has_known_sex,
                'sex neither in the code nor the name prefix'
            )
    ) as failures (reason, has_failed, detail)
    where failures.has_failed

),

duplicates as (

    select
        duplicates.affiliation,
        duplicates.source,
        batch_entities.entity,
        duplicates.academic_year,
        duplicates.term,
        duplicates.record_key,
        concat_ws(' ', duplicates.container, duplicates.locator) as locator,
        'doubtful' as problem,
        'duplicate_in_source' as reason,
        format('the same learner as record %s', duplicates.first_record_key) as detail
    from {{ ref('int_scorecard__duplicate_records') }} as duplicates
    left join batch_entities
        on duplicates.batch_id = batch_entities.batch_id

),

unioned as (

    select * from quarantined
    union all
    select * from failed_checks
    union all
    select * from duplicates

)

select
    province.province_code,
    unioned.affiliation,
    unioned.source,
    unioned.entity,
    unioned.academic_year,
    unioned.term,
    unioned.record_key,
    nullif(unioned.locator, '') as locator,
    unioned.problem,
    unioned.reason,
    unioned.detail
from unioned
cross join province
