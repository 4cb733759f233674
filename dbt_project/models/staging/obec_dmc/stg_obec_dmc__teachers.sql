with source as (

    select * from {{ source('obec_dmc', 'teachers') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(_academic_year as integer) as academic_year,
        cast(_term as integer) as term,
        _container as container,

        -- keys
        btrim(teacher_key) as record_key,
        btrim(school_code) as unit_code,
        {{ pseudonymize(normalize_person_id('citizen_id')) }} as person_key,
        {{ person_id_class(normalize_person_id('citizen_id')) }} as id_class,

        -- attributes
        {{ code_lookup_key('sex') }} as sex_code,
        {{ parse_thai_date('birth_date', 'BE') }} as birth_date,
        {{ code_lookup_key('position') }} as position_spelling,
        {{ code_lookup_key('highest_degree') }} as degree_spelling,
        lower(btrim(has_teaching_license)) = 'true' as is_licensed,
        levels_taught as levels_taught_json,
        cast(nullif(btrim(fte), '') as numeric) as fte

    from source

),

final as (

    select
        renamed.batch_id,
        renamed.academic_year,
        renamed.term,
        renamed.container,
        renamed.record_key,
        renamed.unit_code,
        renamed.person_key,
        renamed.id_class,
        sexes.sex,
        renamed.birth_date,
        positions.position,
        coalesce(positions.is_director, false) as is_director,
        degrees.degree,
        coalesce(degrees.has_bachelor, false) as has_bachelor,
        renamed.is_licensed,
        -- levels taught, decoded: one text array of level codes
        array(
            select taught.level
            from jsonb_array_elements_text(
                case when renamed.levels_taught_json ~ '^\s*\[' then cast(renamed.levels_taught_json as jsonb) else '[]'::jsonb end
            ) with ordinality as typed(spelling, position_no)
            inner join {{ ref('level_taught_crosswalk') }} as taught
                on taught.spelling = {{ code_lookup_key('typed.spelling') }}
            order by typed.position_no
        ) as levels_taught,
        renamed.fte

    from renamed
    left join {{ ref('sex_crosswalk') }} as sexes
        on renamed.sex_code = sexes.spelling
    left join {{ ref('position_crosswalk') }} as positions
        on renamed.position_spelling = positions.spelling
    left join {{ ref('degree_crosswalk') }} as degrees
        on renamed.degree_spelling = degrees.spelling

)

select * from final
