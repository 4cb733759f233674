with source as (

    select * from {{ source('dla_lec', 'units') }}

),

batches as (

    select batch_id, source_timestamp from {{ source('raw_zone', 'batches') }}

),

renamed as (

    select
        -- lineage
        source._batch_id as batch_id,
        cast(source._academic_year as integer) as academic_year,
        cast(source._term as integer) as term,
        source._container as container,
        batches.source_timestamp as source_ts,

        -- unit
        btrim(source.lao_code) as lao_code,
        btrim(source.unit_code) as unit_code,
        btrim(source.unit_name) as name_th,
        {{ code_lookup_key('source.unit_type') }} as unit_type_th,
        nullif(btrim({{ thai_digits_to_ascii('source.tambon_code') }}), '') as tambon_code

    from source
    left join batches
        on source._batch_id = batches.batch_id

)

select * from renamed
