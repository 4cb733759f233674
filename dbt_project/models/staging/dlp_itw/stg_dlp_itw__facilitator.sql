with source as (

    select * from {{ source('dlp_itw', 'facilitator') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,

        -- keys
        btrim(fac_id) as record_key,
        btrim(center_id) as unit_code,
        {{ pseudonymize(normalize_person_id('id_card')) }} as person_key,
        {{ person_id_class(normalize_person_id('id_card')) }} as id_class,

        -- attributes
        {{ code_lookup_key('gender') }} as sex_code,
        {{ parse_thai_date('birthday', 'CE') }} as birth_date,
        {{ code_lookup_key('degree') }} as degree_spelling,
        lower(btrim(active)) in ('true', '1', 't') as is_active

    from source

),

final as (

    select
        renamed.batch_id,
        renamed.record_key,
        renamed.unit_code,
        renamed.person_key,
        renamed.id_class,
        sexes.sex,
        renamed.birth_date,
        degrees.degree,
        renamed.is_active

    from renamed
    left join {{ ref('sex_crosswalk') }} as sexes
        on renamed.sex_code = sexes.spelling
    left join {{ ref('degree_crosswalk') }} as degrees
        on renamed.degree_spelling = degrees.spelling

)

select * from final
