with source as (

    select * from {{ source('onab_report', 'teachers') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(_academic_year as integer) as academic_year,
        cast(_term as integer) as term,

        -- unit and per-school totals
        btrim(school_code) as unit_code,
        coalesce({{ thai_count('total') }}, 0) as teachers_total,
        coalesce({{ thai_count('with_bachelor') }}, 0) as with_bachelor,
        coalesce({{ thai_count('with_license') }}, 0) as with_license,
        case when levels ~ '^\s*\{' then cast(levels as jsonb) else '{}'::jsonb end as levels_json,
        cast(nullif(btrim(generated_at), '') as timestamptz) as source_ts

    from source

)

select * from renamed
