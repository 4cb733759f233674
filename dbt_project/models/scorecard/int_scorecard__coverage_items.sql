{#- Ed-DQAF 3.1 coverage, one row per unit (the scorecard rolls them up):
    units_reporting = register units open on the census date of the term (opened_on <=
    census date < closed_on) that delivered learners that term: formal learners in the
    enrolment counts, or non-formal registrations; records under a closed code count for
    the unit it merged into (as int_unit_gaps reads term 1). units_not_in_register = units
    that delivered learners but are missing from the register (placed by their source's
    tambon code). -#}

with censuses as (

    select * from {{ ref('int_scorecard__censuses') }}

),

delivering as (

    select distinct academic_year, term, unit_key
    from {{ ref('fct_enrolment_counts') }}

    union

    select distinct academic_year, term, unit_key
    from {{ ref('int_learner_records_latest') }}
    where not is_formal and is_studying

),

-- a unit's records reported under a closed code count for the unit it merged into
delivered as (

    select academic_year, term, unit_key
    from delivering

    union

    select delivering.academic_year, delivering.term, units.merged_into_unit_key
    from delivering
    inner join {{ ref('dim_unit') }} as units
        on delivering.unit_key = units.unit_key
    where units.merged_into_unit_key is not null

),

expected as (

    select
        censuses.academic_year,
        censuses.term,
        units.unit_key,
        units.affiliation,
        units.district_code
    from {{ ref('dim_unit') }} as units
    cross join censuses
    where units.in_register
        and units.opened_on <= censuses.census_date
        and (units.closed_on is null or units.closed_on > censuses.census_date)

),

units_reporting as (

    select
        expected.academic_year,
        expected.term,
        expected.affiliation,
        expected.district_code,
        'units_reporting' as measure,
        case when delivered.unit_key is null then 0 else 1 end as numerator,
        1 as denominator,
        case when delivered.unit_key is null then expected.unit_key end as detail_item
    from expected
    left join delivered
        on expected.academic_year = delivered.academic_year
        and expected.term = delivered.term
        and expected.unit_key = delivered.unit_key

),

units_not_in_register as (

    select
        delivering.academic_year,
        delivering.term,
        units.affiliation,
        units.district_code,
        'units_not_in_register' as measure,
        case when units.in_register then 0 else 1 end as numerator,
        cast(null as integer) as denominator,
        case when not units.in_register then units.unit_key end as detail_item
    from delivering
    inner join {{ ref('dim_unit') }} as units
        on delivering.unit_key = units.unit_key

),

unioned as (

    select * from units_reporting
    union all
    select * from units_not_in_register

)

{{ scorecard_items('unioned', dqaf_line='3.1') }}
