{#- Ed-DQAF 4.1 timeliness, per affiliation, academic year and term (province level):
    days from the census date (dim_academic_year) to the arrival of the census's data, in
    Bangkok days. Arrival = the latest source timestamp of the census's batches (file
    time, report time) where the source gives them, else the latest extraction; ALL = the
    latest arrival of all affiliations. Every affiliation that delivers per census gets a
    row for every census of the warehouse: no days (null) when it delivered nothing. -#}

with censuses as (

    select * from {{ ref('int_scorecard__censuses') }}

),

arrivals as (

    select
        affiliation,
        academic_year,
        term,
        count(*) as batches,
        coalesce(max(source_timestamp), max(extracted_at)) as arrived_at,
        max(source_timestamp) is not null as is_source_time
    from {{ ref('int_scorecard__batches') }}
    where is_per_census
    group by 1, 2, 3

),

all_arrivals as (

    select distinct on (academic_year, term)
        'ALL' as affiliation,
        academic_year,
        term,
        sum(batches) over census as batches,
        arrived_at,
        is_source_time
    from arrivals
    window census as (partition by academic_year, term)
    order by academic_year, term, arrived_at desc

),

latest_arrivals as (

    select * from arrivals
    union all
    select * from all_arrivals

),

expected as (

    select reporters.affiliation, censuses.academic_year, censuses.term, censuses.census_date
    from (select distinct affiliation from latest_arrivals) as reporters
    cross join censuses

),

final as (

    select
        expected.academic_year,
        expected.term,
        expected.affiliation,
        '4.1' as dqaf_line,
        'days_after_census' as measure,
        cast(
            cast(latest_arrivals.arrived_at at time zone 'Asia/Bangkok' as date) - expected.census_date
            as double precision
        ) as days_after_census,
        case
            when latest_arrivals.arrived_at is null then 'no batch for this census'
            else format('%s batches, the latest arrived %s (%s), census %s',
                latest_arrivals.batches,
                to_char(latest_arrivals.arrived_at at time zone 'Asia/Bangkok', 'YYYY-MM-DD HH24:MI'),
                case when latest_arrivals.is_source_time then 'source time' else 'extracted' end,
                expected.census_date)
        end as detail
    from expected
    left join latest_arrivals
        on expected.affiliation = latest_arrivals.affiliation
        and expected.academic_year = latest_arrivals.academic_year
        and expected.term = latest_arrivals.term

)

select * from final
