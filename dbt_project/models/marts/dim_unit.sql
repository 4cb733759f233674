-- Every unit: the register's and those only the sources know, with the district where its
-- learners are counted (a closed unit mapped through OBEC merged_into).
with units as (

    select * from {{ ref('int_units') }}

)

select
    unit_key,
    affiliation,
    unit_source_code,
    register_unit_id,
    name_th,
    unit_type,
    tambon_code,
    case
        when closed_on is not null and merged_district_code is not null then merged_district_code
        else own_district_code
    end as district_code,
    province_code,
    opened_on,
    closed_on,
    merged_into_unit_key,
    in_register
from units
