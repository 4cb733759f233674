{#- enable_mergejoin off: the planner, expecting millions of decoded code rows where
    there are a few thousand, sorted every record to merge-join them (a third of the
    model's time at Rayong); hashing them is what the join needs. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["set enable_mergejoin = off",
                  "{{ delete_replaced_batches('dla_lec', 'learners') }}"],
        post_hook=["reset enable_mergejoin"],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['academic_year', 'term']}, {'columns': ['batch_id']}]
    )
}}

-- Typed values are decoded once per distinct value (IDs, dates, codes), then joined back
-- to the rows: the regular-expression work of the macros is paid per value, not per row.

with source as (

    select * from {{ source('dla_lec', 'learners') }}
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

-- the birth date (Excel date with the B.E. year kept, or DD/MM/YYYY text in B.E., Thai
-- digits) wins over the typed age; the typed age (2-99) when the date gives no age
births as (

    select
        typed_birth,
        typed_age_text,
        academic_year,
        birth_date,
        typed_age,
        coalesce(
            {{ age_on_reference('birth_date', 'academic_year') }},
            {{ bounded_age('typed_age') }}
        ) as age
    from (
        select
            typed_birth,
            typed_age_text,
            academic_year,
            {{ parse_thai_date('typed_birth', 'BE') }} as birth_date,
            {{ thai_count('typed_age_text') }} as typed_age
        from (
            select distinct
                coalesce(birth_date, '') as typed_birth,
                coalesce(age_years, '') as typed_age_text,
                cast(_academic_year as integer) as academic_year
            from source
        ) as typed
        offset 0
    ) as parsed

),

-- codes through the crosswalk seeds; sex from ช/ญ, else the prefix of the name
typed_codes as (

    select distinct
        coalesce(sex, '') as typed_sex,
        coalesce(grade, '') as typed_grade,
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
        on grades.source = 'DLA' and {{ code_lookup_key('typed_codes.typed_grade') }} = grades.spelling
    left join {{ ref('grade_levels') }} as levels
        on grades.grade = levels.grade
    left join {{ ref('status_crosswalk') }} as statuses
        on statuses.source = 'DLA' and {{ code_lookup_key('typed_codes.typed_status') }} = statuses.spelling

),

name_prefixes as (

    select
        typed_name,
        (
            select prefixes.sex
            from {{ ref('name_prefix_sex') }} as prefixes
            where starts_with(name_text, prefixes.prefix)
            order by length(prefixes.prefix) desc
            limit 1
        ) as prefix_sex
    from (
        select typed_name, {{ code_lookup_key('typed_name') }} as name_text
        from (select distinct coalesce(full_name, '') as typed_name from source where coalesce(btrim(sex), '') = '' or sex !~ '^[[:space:]]*[ชญ][[:space:]]*$') as typed
        offset 0
    ) as named

),

renamed as (

    select
        -- lineage
        source._batch_id as batch_id,
        cast(source._academic_year as integer) as academic_year,
        cast(source._term as integer) as term,
        source._container as container,
        source._locator as locator,

        -- keys: DLA's source key is the local authority, the unit code and ลำดับ
        btrim(source.lao_code) || '|' || btrim(source.unit_code) || '|' || btrim({{ thai_digits_to_ascii('source.seq') }}) as record_key,
        btrim(source.lao_code) as lao_code,
        btrim(source.unit_code) as unit_code,

        -- pseudonymized identifiers (the name is read only for its prefix, then dropped)
        ids.person_key,
        ids.id_class,
        cast(null as text) as previous_person_key,
        'none' as previous_id_class,

        -- decoded codes
        coalesce(codes.sex, name_prefixes.prefix_sex) as sex,
        codes.grade,
        codes.isced,
        codes.status,
        codes.is_studying,

        -- dates
        births.birth_date,
        births.typed_age,
        births.age,
        cast(null as boolean) as is_repeater,
        -- a record's time is its workbook's last-saved time
        batches.source_timestamp as source_ts

    from source
    left join batches
        on source._batch_id = batches.batch_id
    left join ids
        on coalesce(source.citizen_id, '') = ids.typed_id
    left join births
        on coalesce(source.birth_date, '') = births.typed_birth
        and coalesce(source.age_years, '') = births.typed_age_text
        and cast(source._academic_year as integer) = births.academic_year
    left join codes
        on coalesce(source.sex, '') = codes.typed_sex
        and coalesce(source.grade, '') = codes.typed_grade
        and coalesce(source.status, '') = codes.typed_status
    left join name_prefixes
        on coalesce(source.full_name, '') = name_prefixes.typed_name

)

select * from renamed
