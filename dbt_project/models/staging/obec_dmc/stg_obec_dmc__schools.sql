with source as (

    select * from {{ source('obec_dmc', 'schools') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        _extracted_at as extracted_at,

        -- unit
        btrim(school_code) as unit_code,
        btrim(smis_code) as smis_code,
        btrim(name_th) as name_th,
        btrim(area_office) as area_office,
        nullif(btrim(tambon_code), '') as tambon_code,

        -- status
        {{ code_lookup_key('status') }} as status_th,
        nullif(btrim(merged_into), '') as merged_into_code,
        cast(nullif(btrim(latitude), '') as double precision) as latitude,
        cast(nullif(btrim(longitude), '') as double precision) as longitude

    from source

)

select * from renamed
