{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_replaced_batches('ovec_vec', 'enrollments') }}",
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['academic_year', 'term']}, {'columns': ['batch_id']}]
    )
}}

-- Typed values are decoded once per distinct value (IDs, dates, codes), then joined back
-- to the rows: the regular-expression work of the macros is paid per value, not per row.

with source as (

    select * from {{ source('ovec_vec', 'enrollments') }}
    {% if is_incremental() %}
    where _batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

-- identifiers: normalized, classified, pseudonymized (no clear ID leaves staging)
ids as (

    select
        typed_id,
        {{ pseudonymize('person_id_norm') }} as person_key,
        {{ person_id_class('person_id_norm') }} as id_class
    from (
        select typed_id, {{ normalize_person_id('typed_id') }} as person_id_norm
        from (select distinct coalesce("nationalId", '') as typed_id from source) as typed
        offset 0
    ) as normalized

),

-- birth dates: C.E.; a B.E. year typed into this C.E. field is read as typed (a date
-- after the census), so the birth date and the age are unknown (ledger rule)
births as (

    select
        typed_birth,
        academic_year,
        birth_date,
        {{ age_on_reference('birth_date', 'academic_year') }} as age
    from (
        select
            typed_birth,
            academic_year,
            case
                when substring({{ thai_digits_to_ascii('typed_birth') }} from '^\s*([0-9]{4})')::integer < 2400
                    then {{ parse_thai_date('typed_birth', 'CE') }}
            end as birth_date
        from (
            select distinct coalesce("dateOfBirth", '') as typed_birth, cast(_academic_year as integer) as academic_year
            from source
        ) as typed
        offset 0
    ) as parsed

),

-- codes through the crosswalk seeds (grade = programLevel followed by yearOfStudy)
typed_codes as (

    select distinct
        coalesce(gender, '') as typed_sex,
        coalesce("programLevel", '') as typed_program,
        coalesce("yearOfStudy", '') as typed_year_of_study,
        coalesce(status, '') as typed_status
    from source

),

codes as (

    select
        typed_codes.*,
        sexes.sex,
        grades.grade,
        levels.isced,
        statuses.status,
        statuses.is_studying
    from typed_codes
    left join {{ ref('sex_crosswalk') }} as sexes
        on {{ code_lookup_key('typed_codes.typed_sex') }} = sexes.spelling
    left join {{ ref('grade_crosswalk') }} as grades
        on grades.source = 'OVEC'
        and {{ code_lookup_key('typed_codes.typed_program') }} || {{ code_lookup_key('typed_codes.typed_year_of_study') }}
            = grades.spelling
    left join {{ ref('grade_levels') }} as levels
        on grades.grade = levels.grade
    left join {{ ref('status_crosswalk') }} as statuses
        on statuses.source = 'OVEC' and {{ code_lookup_key('typed_codes.typed_status') }} = statuses.spelling

),

renamed as (

    select
        -- lineage (_academic_year is stored B.E.; the API's own year is C.E.)
        source._batch_id as batch_id,
        cast(source._academic_year as integer) as academic_year,
        cast(source._term as integer) as term,
        source._container as container,
        source._locator as locator,

        -- keys: OVEC's source key is studentId + collegeId
        btrim(source."studentId") || '|' || btrim(source."collegeId") as record_key,
        btrim(source."collegeId") as unit_code,

        -- pseudonymized identifiers
        ids.person_key,
        ids.id_class,
        cast(null as text) as previous_person_key,
        'none' as previous_id_class,

        -- decoded codes
        codes.sex,
        codes.grade,
        codes.isced,
        codes.status,
        codes.is_studying,
        {{ code_lookup_key('source."studyMode"') }} as study_mode,

        -- dates and flags
        births.birth_date,
        births.age,
        lower(btrim(source.repeating)) = 'true' as is_repeater,
        cast(nullif(btrim(source."lastModified"), '') as timestamptz) as source_ts

    from source
    left join ids
        on coalesce(source."nationalId", '') = ids.typed_id
    left join births
        on coalesce(source."dateOfBirth", '') = births.typed_birth
        and cast(source._academic_year as integer) = births.academic_year
    left join codes
        on coalesce(source.gender, '') = codes.typed_sex
        and coalesce(source."programLevel", '') = codes.typed_program
        and coalesce(source."yearOfStudy", '') = codes.typed_year_of_study
        and coalesce(source.status, '') = codes.typed_status

)

select * from renamed
