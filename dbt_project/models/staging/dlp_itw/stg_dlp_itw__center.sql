with source as (

    select * from {{ source('dlp_itw', 'center') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,

        -- unit
        btrim(center_id) as unit_code,
        btrim(center_name) as name_th,
        {{ code_lookup_key('center_type') }} as center_type,
        nullif(btrim(tambon_code), '') as tambon_code

    from source

)

select * from renamed
