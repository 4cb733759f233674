{#- Every indicator cell with its flags (indicators.md §6), and OOSR, which takes the
    flags of its ANER cell:
      capped / dirty  NER, ANER above 100 / above 105 (105 included in capped)
      out_of_range    a reconstructed flow rate outside 0-100
      low_n           a denominator counting people under 30 (not PTR, QUAL_TCH,
                      CERT_TCH, GPI_GER, GPIA_GER, NFE_ENR)
      unit_gap        a unit of the cell's district (or any, for the province) expected
                      and not delivered, of the cell's affiliation or any (ALL cells)
      incomplete      a failed affiliation: its own cells, and the ALL cells of every
                      indicator it feeds (formal indicators: the formal affiliations;
                      reconstructed flows: those reporting repeaters; cohort flows: formal
                      ones with learner records; NFE_ENR: DLP)
    Flow rates labelled t use the censuses of t and t+1: both years' gaps and failures. -#}
{%- set low_n_threshold = 30 %}
{%- set flow_indicators = ["REP", "PROM", "DROP", "TRANS"] %}

with cells as (

    select *, 'formal' as feeding from {{ ref('int_indicator_enrolment_ratios') }}
    union all
    select *, 'formal' as feeding from {{ ref('int_indicator_teachers') }}
    union all
    select *, 'reconstructed' as feeding from {{ ref('int_indicator_flows') }}
    union all
    select *, 'cohort' as feeding from {{ ref('int_indicator_cohort_flows') }}
    union all
    select *, 'non_formal' as feeding from {{ ref('int_indicator_nfe') }}

),

cell_years as (

    -- the censuses a cell uses: its year, and t+1 for flow rates
    select distinct indicator, academic_year, academic_year as census_year, feeding
    from cells

    union

    select distinct indicator, academic_year, academic_year + 1, feeding
    from cells
    where feeding in ('reconstructed', 'cohort')

),

gap_cells as (

    -- (census year, area, affiliation) of every cell a unit gap touches
    select distinct gaps.academic_year, area.area_code, affiliation_cells.affiliation
    from {{ ref('int_unit_gaps') }} as gaps
    cross join lateral (values (gaps.district_code), (gaps.province_code)) as area (area_code)
    cross join lateral (values ('ALL'), (gaps.affiliation)) as affiliation_cells (affiliation)

),

feeding_affiliations as (

    select 'formal' as feeding, code as affiliation
    from {{ ref('affiliations') }}
    where is_formal

    union all

    select 'reconstructed', code
    from {{ ref('affiliations') }}
    where is_formal and reports_repeaters

    union all

    select 'cohort', code
    from {{ ref('affiliations') }}
    where is_formal and has_learner_records

    union all

    select 'non_formal', code
    from {{ ref('affiliations') }}
    where not is_formal and has_learner_records

),

failed_cells as (

    -- (census year or every year, feeding, affiliation of the cell) a failure touches:
    -- the ALL cells of the indicators the failed affiliation feeds...
    select distinct
        failed.academic_year,
        feeding_affiliations.feeding,
        'ALL' as affiliation
    from {{ ref('int_failed_affiliations') }} as failed
    inner join feeding_affiliations on failed.affiliation = feeding_affiliations.affiliation

    union

    -- ...and its own cells, whatever the indicator (GER, PTR)
    select distinct failed.academic_year, feeds.feeding, failed.affiliation
    from {{ ref('int_failed_affiliations') }} as failed
    cross join (values ('formal'), ('reconstructed'), ('cohort'), ('non_formal')) as feeds (feeding)

),

touched as (

    select
        cells.indicator,
        cells.academic_year,
        cells.area_code,
        cells.affiliation,
        cells.level,
        cells.grade,
        cells.age_group,
        cells.sex,
        bool_or(gap_cells.area_code is not null) as has_gap,
        bool_or(failed_cells.affiliation is not null) as is_incomplete
    from cells
    inner join cell_years
        on cells.indicator = cell_years.indicator
        and cells.academic_year = cell_years.academic_year
    left join gap_cells
        on gap_cells.academic_year = cell_years.census_year
        and gap_cells.area_code = cells.area_code
        and gap_cells.affiliation = cells.affiliation
    left join failed_cells
        on (failed_cells.academic_year is null or failed_cells.academic_year = cell_years.census_year)
        and failed_cells.feeding = cells.feeding
        and failed_cells.affiliation = cells.affiliation
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

flagged as (

    select
        cells.indicator,
        cells.academic_year,
        cells.area_code,
        cells.affiliation,
        cells.level,
        cells.grade,
        cells.age_group,
        cells.sex,
        cells.value,
        cells.numerator,
        cells.denominator,
        cells.unit,
        -- concat_ws skips nulls; the flags are listed in alphabetical order
        concat_ws(
            ',',
            case
                when cells.indicator in ('NER', 'ANER') and cells.value > 100
                    and cells.value <= 105 then 'capped'
            end,
            case when cells.indicator in ('NER', 'ANER') and cells.value > 105 then 'dirty' end,
            case when touched.is_incomplete then 'incomplete' end,
            case
                when cells.indicator not in (
                    'PTR', 'QUAL_TCH', 'CERT_TCH', 'GPI_GER', 'GPIA_GER', 'NFE_ENR')
                    and cells.denominator < {{ low_n_threshold }} then 'low_n'
            end,
            case
                when cells.indicator in ('{{ flow_indicators | join("', '") }}')
                    and (cells.value < 0 or cells.value > 100) then 'out_of_range'
            end,
            case when touched.has_gap then 'unit_gap' end
        ) as flags,
        cells.province_code
    from cells
    inner join touched
        on cells.indicator = touched.indicator
        and cells.academic_year = touched.academic_year
        and cells.area_code = touched.area_code
        and cells.affiliation = touched.affiliation
        and cells.level = touched.level
        and cells.grade = touched.grade
        and cells.age_group = touched.age_group
        and cells.sex = touched.sex

)

select * from flagged

union all

-- OOSR = 100 - the unrounded, uncapped ANER, of the primary, lower and upper secondary
-- age groups; numerator = the official-age population not enrolled; ANER's flags
select
    'OOSR' as indicator,
    academic_year,
    area_code,
    affiliation,
    level,
    grade,
    age_group,
    sex,
    100 - value as value,
    denominator - numerator as numerator,
    denominator,
    unit,
    flags,
    province_code
from flagged
where indicator = 'ANER'
  and level in ('primary', 'lower_secondary', 'upper_secondary')
