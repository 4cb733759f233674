-- Conformed units: the PEO register plus every source's own unit list (and any code seen
-- only in records), one row per (affiliation, source unit code).
with register_ranked as (

    select
        *,
        row_number() over (
            partition by affiliation, unit_code
            order by opened_on desc nulls last, line_no desc
        ) as row_no
    from {{ ref('stg_peo_registry__units') }}

),

register as (

    select * from register_ranked where row_no = 1

),

-- each source's unit list, latest delivery first
source_lists as (

    select 'OBEC' as affiliation, unit_code, name_th, tambon_code, batch_id as recency, 'school' as unit_type
    from {{ ref('stg_obec_dmc__schools') }}
    union all
    select 'OVEC', unit_code, name_th, tambon_code, batch_id, 'college'
    from {{ ref('stg_ovec_vec__colleges') }}
    union all
    select 'OPEC', unit_code, name_th, tambon_code, batch_id, 'school'
    from {{ ref('stg_opec_psis__schools') }}
    union all
    select 'DLA', unit_code, name_th, tambon_code, batch_id, unit_type_th
    from {{ ref('stg_dla_lec__units') }}
    union all
    select 'DLP', unit_code, name_th, tambon_code, batch_id, 'learning_centre'
    from {{ ref('stg_dlp_itw__center') }}
    union all
    select 'ONAB', unit_code, null, tambon_code, batch_id, 'school'
    from {{ ref('stg_onab_report__enrolment') }}

),

source_ranked as (

    select
        *,
        row_number() over (
            partition by affiliation, unit_code
            order by (tambon_code is null), recency desc
        ) as row_no
    from source_lists
    where unit_code is not null and unit_code <> ''

),

source_units as (

    select * from source_ranked where row_no = 1

),

-- codes seen only in records (a unit neither the register nor its source lists)
record_units as (

    select distinct 'OBEC' as affiliation, unit_code from {{ ref('stg_obec_dmc__students') }}
    union
    select distinct 'OVEC', unit_code from {{ ref('stg_ovec_vec__enrollments') }}
    union
    select distinct 'OPEC', unit_code from {{ ref('stg_opec_psis__students') }}
    union
    select distinct 'DLA', unit_code from {{ ref('stg_dla_lec__learners') }}
    union
    select distinct 'DLP', unit_code from {{ ref('stg_dlp_itw__registration') }}

),

obec_status as (

    select
        unit_code,
        merged_into_code,
        status_th,
        row_number() over (partition by unit_code order by batch_id desc) as row_no
    from {{ ref('stg_obec_dmc__schools') }}

),

all_codes as (

    select affiliation, unit_code from register
    union
    select affiliation, unit_code from source_units
    union
    select affiliation, unit_code from record_units where unit_code is not null and unit_code <> ''

),

province as (

    select province_code from {{ ref('int_province') }}

),

joined as (

    select
        all_codes.affiliation || '|' || all_codes.unit_code as unit_key,
        all_codes.affiliation,
        all_codes.unit_code as unit_source_code,
        register.register_unit_id,
        coalesce(register.name_th, source_units.name_th) as name_th,
        coalesce(register.unit_type, source_units.unit_type) as unit_type,
        register.tambon_code as register_tambon_code,
        source_units.tambon_code as source_tambon_code,
        coalesce(register.tambon_code, source_units.tambon_code) as tambon_code,
        register.opened_on,
        register.closed_on,
        obec_status.status_th as source_status_th,
        obec_status.merged_into_code,
        register.register_unit_id is not null as in_register
    from all_codes
    left join register
        on all_codes.affiliation = register.affiliation
        and all_codes.unit_code = register.unit_code
    left join source_units
        on all_codes.affiliation = source_units.affiliation
        and all_codes.unit_code = source_units.unit_code
    left join obec_status
        on all_codes.affiliation = 'OBEC'
        and all_codes.unit_code = obec_status.unit_code
        and obec_status.row_no = 1

),

final as (

    select
        joined.*,
        left(joined.tambon_code, 4) as own_district_code,
        case when joined.merged_into_code is not null then 'OBEC|' || joined.merged_into_code end
            as merged_into_unit_key,
        -- district of the school a closed OBEC unit merged into: register, else DMC's list
        left(coalesce(merged_register.tambon_code, merged_source.tambon_code), 4) as merged_district_code,
        province.province_code
    from joined
    cross join province
    left join register as merged_register
        on merged_register.affiliation = 'OBEC'
        and joined.merged_into_code = merged_register.unit_code
    left join source_units as merged_source
        on merged_source.affiliation = 'OBEC'
        and joined.merged_into_code = merged_source.unit_code

)

select * from final
