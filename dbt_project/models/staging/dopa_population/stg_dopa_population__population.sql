with source as (

    select * from {{ source('dopa_population', 'population') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        _container as container,
        cast(line_no as integer) as line_no,

        -- area and year (population as of 31 December of ce_year)
        btrim(district_code) as district_code,
        btrim(district_name) as district_name_th,
        cast({{ thai_digits_to_ascii('ce_year') }} as integer) as ce_year,
        {{ dopa_age('age') }} as age,

        -- counts (thousands separators, Thai digits)
        {{ thai_count('male') }} as male,
        {{ thai_count('female') }} as female,
        {{ thai_count('total') }} as total

    from source

),

final as (

    select
        *,
        total is distinct from coalesce(male, 0) + coalesce(female, 0) as total_disagrees
    from renamed

)

select * from final
