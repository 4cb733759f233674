{#- enable_mergejoin off: the planner, expecting millions of decoded code rows where
    there are a few thousand, sorted every record to merge-join them (a third of the
    model's time at Rayong); hashing them is what the join needs. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["set enable_mergejoin = off",
                  "{{ delete_replaced_batches('opec_psis', 'students') }}"],
        post_hook=["reset enable_mergejoin"],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['academic_year', 'term']}, {'columns': ['batch_id']}]
    )
}}

-- Typed values are decoded once per distinct value (IDs, dates, codes), then joined back
-- to the rows: the regular-expression work of the macros is paid per value, not per row.

with source as (

    select * from {{ source('opec_psis', 'students') }}
    {% if is_incremental() %}
    where _batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

batches as (

    select batch_id, source_timestamp from {{ source('raw_zone', 'batches') }}

),

-- identifiers: normalized, classified, pseudonymized (no clear ID leaves staging)
ids as (

    select
        typed_id,
        {{ pseudonymize('person_id_norm') }} as person_key,
        {{ person_id_class('person_id_norm') }} as id_class
    from (
        select typed_id, {{ normalize_person_id('typed_id') }} as person_id_norm
        from (select distinct coalesce(citizen_id, '') as typed_id from source) as typed
        offset 0
    ) as normalized

),

-- birth dates (DD/MM/YYYY, B.E., Thai digits) and the age they give in each year
births as (

    select
        typed_birth,
        academic_year,
        birth_date,
        {{ age_on_reference('birth_date', 'academic_year') }} as age
    from (
        select typed_birth, academic_year, {{ parse_thai_date('typed_birth', 'BE') }} as birth_date
        from (
            select distinct coalesce(birth_date, '') as typed_birth, cast(_academic_year as integer) as academic_year
            from source
        ) as typed
        offset 0
    ) as parsed

),

-- codes through the crosswalk seeds
typed_codes as (

    select distinct
        coalesce(sex, '') as typed_sex,
        coalesce(prefix, '') as typed_prefix,
        coalesce(grade, '') as typed_grade,
        coalesce(status, '') as typed_status,
        coalesce(nationality, '') as typed_nationality,
        coalesce(repeating, '') as typed_repeating
    from source

),

codes as (

    select
        typed_codes.*,
        coalesce(sexes.sex, prefix_sex.sex) as sex,
        grades.grade,
        levels.isced,
        statuses.status,
        statuses.is_studying,
        nationalities.nationality,
        {{ code_lookup_key('typed_codes.typed_repeating') }} = 'ใช่' as is_repeater
    from typed_codes
    left join {{ ref('sex_crosswalk') }} as sexes
        on {{ code_lookup_key('typed_codes.typed_sex') }} = sexes.spelling
    left join lateral (
        select prefixes.sex
        from {{ ref('name_prefix_sex') }} as prefixes
        where starts_with({{ code_lookup_key('typed_codes.typed_prefix') }}, prefixes.prefix)
        order by length(prefixes.prefix) desc
        limit 1
    ) as prefix_sex on true
    left join {{ ref('grade_crosswalk') }} as grades
        on grades.source = 'OPEC' and {{ code_lookup_key('typed_codes.typed_grade') }} = grades.spelling
    left join {{ ref('grade_levels') }} as levels
        on grades.grade = levels.grade
    left join {{ ref('status_crosswalk') }} as statuses
        on statuses.source = 'OPEC' and {{ code_lookup_key('typed_codes.typed_status') }} = statuses.spelling
    left join {{ ref('nationality_crosswalk') }} as nationalities
        on {{ code_lookup_key('typed_codes.typed_nationality') }} = nationalities.spelling

),

renamed as (

    select
        -- lineage
        source._batch_id as batch_id,
        cast(source._academic_year as integer) as academic_year,
        cast(source._term as integer) as term,
        source._container as container,
        source._locator as locator,

        -- keys: OPEC's source key is the school code and the physical line of the file
        btrim(source.file_school_code) || '|' || btrim(source.line_no) as record_key,
        coalesce(nullif(btrim(source.school_code), ''), btrim(source.file_school_code)) as unit_code,

        -- pseudonymized identifiers
        ids.person_key,
        ids.id_class,
        cast(null as text) as previous_person_key,
        'none' as previous_id_class,

        -- decoded codes (sex: the code, else the name prefix)
        codes.sex,
        codes.grade,
        codes.isced,
        codes.status,
        codes.is_studying,
        codes.nationality,

        -- dates and flags; a record's time is its file's manifest exported_at
        births.birth_date,
        births.age,
        codes.is_repeater,
        batches.source_timestamp as source_ts

    from source
    left join batches
        on source._batch_id = batches.batch_id
    left join ids
        on coalesce(source.citizen_id, '') = ids.typed_id
    left join births
        on coalesce(source.birth_date, '') = births.typed_birth
        and cast(source._academic_year as integer) = births.academic_year
    left join codes
        on coalesce(source.sex, '') = codes.typed_sex
        and coalesce(source.prefix, '') = codes.typed_prefix
        and coalesce(source.grade, '') = codes.typed_grade
        and coalesce(source.status, '') = codes.typed_status
        and coalesce(source.nationality, '') = codes.typed_nationality
        and coalesce(source.repeating, '') = codes.typed_repeating

)

select * from renamed
