-- The province and its districts (DOPA codes). Thai district names from the latest DOPA
-- population file; English names are not in any source (null).
with province as (

    select province_code from {{ ref('int_province') }}

),

district_names as (

    select
        district_code,
        district_name_th,
        row_number() over (partition by district_code order by ce_year desc, batch_id desc) as row_no
    from {{ ref('stg_dopa_population__population') }}
    where district_code ~ '^[0-9]{4}$'

),

districts as (

    select district_code from district_names where row_no = 1
    union
    select left(tambon_code, 4) from {{ ref('int_units') }} where tambon_code ~ '^[0-9]{6}$'

),

final as (

    select
        province.province_code as area_code,
        'province' as area_level,
        province.province_code,
        cast(null as text) as name_th,
        cast(null as text) as name_en
    from province
    union all
    select
        districts.district_code,
        'district',
        province.province_code,
        district_names.district_name_th,
        cast(null as text)
    from districts
    cross join province
    left join district_names
        on districts.district_code = district_names.district_code
        and district_names.row_no = 1
    where starts_with(districts.district_code, province.province_code)

)

select * from final
