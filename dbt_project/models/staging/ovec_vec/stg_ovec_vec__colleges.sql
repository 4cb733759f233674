with source as (

    select * from {{ source('ovec_vec', 'colleges') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        _extracted_at as extracted_at,

        -- unit
        btrim("collegeId") as unit_code,
        btrim("nameTh") as name_th,
        btrim("nameEn") as name_en,
        nullif(btrim("tambonCode"), '') as tambon_code,
        btrim("collegeType") as college_type

    from source

)

select * from renamed
