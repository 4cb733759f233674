-- Where a unit's learners and teachers count at each census (indicators.md §1.8): a unit
-- the register shows as closed on the census date is mapped through OBEC merged_into
-- (when given), else counted at its own district (register tambon, else the source's).
with units as (

    select * from {{ ref('int_units') }}

),

censuses as (

    select academic_year, term
    from {{ ref('int_learner_censuses') }}
    union
    select distinct academic_year, term
    from {{ ref('stg_onab_report__enrolment') }}

),

dated as (

    select
        academic_year,
        term,
        case
            when term = 1 then make_date(academic_year - 543, {{ month_day_setting('census_month_day', '06-10') | join(', ') }})
            else make_date(academic_year - 543, 11, 10)
        end as census_date
    from censuses

),

final as (

    select
        units.unit_key,
        dated.academic_year,
        dated.term,
        dated.census_date,
        coalesce(units.closed_on <= dated.census_date, false) as is_closed,
        case
            when units.closed_on <= dated.census_date and units.merged_district_code is not null
                then units.merged_into_unit_key
            else units.unit_key
        end as reporting_unit_key,
        case
            when units.closed_on <= dated.census_date and units.merged_district_code is not null
                then units.merged_district_code
            else units.own_district_code
        end as district_code,
        units.province_code
    from units
    cross join dated

)

select * from final
