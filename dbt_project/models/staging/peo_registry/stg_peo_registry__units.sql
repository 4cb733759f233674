with source as (

    select * from {{ source('peo_registry', 'units') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(line_no as integer) as line_no,

        -- unit
        btrim(unit_id) as register_unit_id,
        upper(btrim(affiliation)) as affiliation,
        btrim(source_code) as unit_code,
        btrim(name_th) as name_th,
        btrim(unit_type) as unit_type,
        nullif(btrim(tambon_code), '') as tambon_code,

        -- dates (ISO)
        cast(nullif(btrim(opened_on), '') as date) as opened_on,
        cast(nullif(btrim(closed_on), '') as date) as closed_on

    from source

)

select * from renamed
