-- The province and its districts (DOPA codes). Names from the province configuration
-- (dbt var `area_names`: {code: {th: .., en: ..}}, set from include/provinces/<slug>.yaml by
-- the build DAG), else Thai district names from the latest DOPA population file.
{%- set area_names = var('area_names', {}) %}
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

configured_names as (

    {%- if area_names %}
    select area_code, name_th, name_en
    from (
        values
        {%- for code, names in area_names.items() %}
        ('{{ code }}', '{{ names.get("th", "") | replace("'", "''") }}',
         '{{ names.get("en", "") | replace("'", "''") }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as names (area_code, name_th, name_en)
    {%- else %}
    select cast(null as text) as area_code, cast(null as text) as name_th,
        cast(null as text) as name_en
    where false
    {%- endif %}

),

districts as (

    select district_code from district_names where row_no = 1
    union
    select left(tambon_code, 4) from {{ ref('int_units') }} where tambon_code ~ '^[0-9]{6}$'

),

areas as (

    select
        province.province_code as area_code,
        'province' as area_level,
        province.province_code,
        cast(null as text) as dopa_name_th
    from province
    union all
    select
        districts.district_code,
        'district',
        province.province_code,
        district_names.district_name_th
    from districts
    cross join province
    left join district_names
        on districts.district_code = district_names.district_code
        and district_names.row_no = 1
    where starts_with(districts.district_code, province.province_code)

),

final as (

    select
        areas.area_code,
        areas.area_level,
        areas.province_code,
        coalesce(nullif(configured_names.name_th, ''), areas.dopa_name_th) as name_th,
        nullif(configured_names.name_en, '') as name_en
    from areas
    left join configured_names
        on areas.area_code = configured_names.area_code

)

select * from final
