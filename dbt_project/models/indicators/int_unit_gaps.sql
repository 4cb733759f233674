{#- Units the register expects for a term-1 census that delivered no readable learner
    records (indicators.md §6, `unit_gap`): open on the census date (opened_on <= census
    date < closed_on) and with no learner of term 1 in the marts, nor any under a closed
    unit merged into it (ONAB: absent from the report; DLP learning centres count as
    units, delivered = a registration of semester 1). Affiliations whose extraction
    failed are left to the `incomplete` flag. -#}

with delivering as (

    select distinct academic_year, unit_key
    from {{ ref('fct_enrolment_counts') }}
    where term = 1

    union

    select distinct academic_year, unit_key
    from {{ ref('fct_nfe_registration') }}

),

delivered as (

    -- a unit's records reported under a closed code count for the unit it merged into
    select delivering.academic_year, delivering.unit_key
    from delivering

    union

    select delivering.academic_year, dim_unit.merged_into_unit_key
    from delivering
    inner join {{ ref('dim_unit') }} as dim_unit on delivering.unit_key = dim_unit.unit_key
    where dim_unit.merged_into_unit_key is not null

),

expected as (

    select
        years.academic_year,
        dim_unit.unit_key,
        dim_unit.affiliation,
        dim_unit.district_code,
        dim_unit.province_code
    from {{ ref('dim_unit') }} as dim_unit
    cross join {{ ref('dim_academic_year') }} as years
    where dim_unit.in_register
      and dim_unit.opened_on <= years.census_date_term1
      and (dim_unit.closed_on is null or dim_unit.closed_on > years.census_date_term1)

)

select
    expected.academic_year,
    expected.unit_key,
    expected.affiliation,
    expected.district_code,
    expected.province_code
from expected
left join delivered
    on expected.academic_year = delivered.academic_year
    and expected.unit_key = delivered.unit_key
left join {{ ref('int_failed_affiliations') }} as failed
    on expected.affiliation = failed.affiliation
    and (failed.academic_year is null or failed.academic_year = expected.academic_year)
where delivered.unit_key is null
  and failed.affiliation is null
