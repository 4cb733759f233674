with source as (

    select * from {{ source('opec_psis', 'schools') }}

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
        btrim(source.school_code) as unit_code,
        btrim(source.school_name) as name_th,
        {{ code_lookup_key('source.school_type') }} as school_type,
        nullif(btrim({{ thai_digits_to_ascii('source.tambon_code') }}), '') as tambon_code,
        {{ code_lookup_key('source.status') }} as status_th

    from source
    left join batches
        on source._batch_id = batches.batch_id

)

select * from renamed
