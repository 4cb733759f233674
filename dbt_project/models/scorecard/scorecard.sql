{#- The data-quality scorecard (Ed-DQAF lines of quality.md): one row per academic year,
    term, affiliation (or ALL), area (a district or the province), line and measure.
    The *_items models give one row per unit, batch, cell or group of records at the
    finest grain (affiliation, district); here they are rolled up to the districts and
    the province, for each affiliation and for ALL, in one pass: a row adds its numerator
    and denominator, or names an item (counted_key) counted once per group. Items without
    an affiliation count under ALL only; items without a district of the province count
    in the province total only. value = 100 x numerator / denominator, or the count when
    there is no denominator; status = 'warn' when the value crosses its measure's limit
    (var `scorecard_warn_limits` overrides the defaults below) or cannot be worked out. -#}
{%- set detail_items_shown = 20 %}
{%- set default_limits = {
    'units_reporting': 100,
    'units_not_in_register': 0,
    'valid_id_rate': 99,
    'known_grade_rate': 99,
    'plausible_birth_date_rate': 99,
    'known_sex_rate': 99,
    'duplicate_records_in_source': 0,
    'persons_in_several_affiliations': 0,
    'outlier_units': 0,
    'days_after_census': 30,
    'cells_enrolled_over_population': 0,
    'year_over_year_change': 10,
    'batches_reconciled': 100,
} %}
{%- set limits = default_limits.copy() %}
{%- do limits.update(var('scorecard_warn_limits', {})) %}
{#- how a value crosses its limit: falls below it, rises above it, or moves further from 0 -#}
{%- set directions = {
    'units_reporting': 'below',
    'valid_id_rate': 'below',
    'known_grade_rate': 'below',
    'plausible_birth_date_rate': 'below',
    'known_sex_rate': 'below',
    'batches_reconciled': 'below',
    'year_over_year_change': 'beyond',
} %}

with items as (

    select * from {{ ref('int_scorecard__coverage_items') }}
    union all
    select * from {{ ref('int_scorecard__validity_items') }}
    union all
    select * from {{ ref('int_scorecard__uniqueness_items') }}
    union all
    select * from {{ ref('int_scorecard__outlier_items') }}
    union all
    select * from {{ ref('int_scorecard__consistency_items') }}
    union all
    select * from {{ ref('int_scorecard__reconciliation_items') }}

),

province as (

    select province_code from {{ ref('int_province') }}

),

districts as (

    select area_code as district_code
    from {{ ref('dim_area') }}
    where area_level = 'district'

),

placed_items as (

    select
        items.academic_year,
        items.term,
        items.dqaf_line,
        items.measure,
        items.affiliation,
        districts.district_code,
        items.numerator,
        items.denominator,
        items.counted_key,
        items.detail_item
    from items
    left join districts
        on items.district_code = districts.district_code

),

rolled_up as (

    select
        academic_year,
        term,
        dqaf_line,
        measure,
        grouping(affiliation) = 1 as is_all_affiliations,
        affiliation,
        grouping(district_code) = 1 as is_province,
        district_code,
        coalesce(sum(numerator), 0) + count(distinct counted_key) as numerator,
        sum(denominator) as denominator,
        array_agg(distinct detail_item order by detail_item)
            filter (where detail_item is not null) as detail_items
    from placed_items
    group by
        academic_year, term, dqaf_line, measure,
        grouping sets ((affiliation, district_code), (affiliation), (district_code), ())

),

-- groups of items with no affiliation, or no district, are not reported as such
reported as (

    select
        rolled_up.academic_year,
        rolled_up.term,
        case when rolled_up.is_all_affiliations then 'ALL' else rolled_up.affiliation end
            as affiliation,
        case when rolled_up.is_province then province.province_code else rolled_up.district_code end
            as area_code,
        rolled_up.dqaf_line,
        rolled_up.measure,
        rolled_up.numerator,
        rolled_up.denominator,
        case
            when rolled_up.denominator is null then rolled_up.numerator
            when rolled_up.denominator <> 0 then 100 * rolled_up.numerator / rolled_up.denominator
        end as value,
        array_to_string(rolled_up.detail_items[1:{{ detail_items_shown }}], ', ')
            || case
                when cardinality(rolled_up.detail_items) > {{ detail_items_shown }}
                    then format(' and %s more', cardinality(rolled_up.detail_items) - {{ detail_items_shown }})
                else ''
            end as detail
    from rolled_up
    cross join province
    where (rolled_up.is_all_affiliations or rolled_up.affiliation is not null)
        and (rolled_up.is_province or rolled_up.district_code is not null)

),

timeliness as (

    select
        timeliness.academic_year,
        timeliness.term,
        timeliness.affiliation,
        province.province_code as area_code,
        timeliness.dqaf_line,
        timeliness.measure,
        cast(null as double precision) as numerator,
        cast(null as double precision) as denominator,
        timeliness.days_after_census as value,
        timeliness.detail
    from {{ ref('int_scorecard__timeliness') }} as timeliness
    cross join province

),

measures as (

    select * from reported
    union all
    select * from timeliness

),

limits as (

    select measure, direction, warn_limit
    from (
        values
        {%- for measure, warn_limit in limits.items() %}
            ('{{ measure }}', '{{ directions.get(measure, "above") }}', cast({{ warn_limit }} as double precision))
            {{- "," if not loop.last }}
        {%- endfor %}
    ) as limits (measure, direction, warn_limit)

),

final as (

    select
        province.province_code,
        measures.academic_year,
        measures.term,
        measures.affiliation,
        measures.area_code,
        measures.dqaf_line,
        measures.measure,
        measures.numerator,
        measures.denominator,
        measures.value,
        case
            when measures.value is null then 'warn'
            when limits.direction = 'below' and measures.value < limits.warn_limit then 'warn'
            when limits.direction = 'above' and measures.value > limits.warn_limit then 'warn'
            when limits.direction = 'beyond' and abs(measures.value) > limits.warn_limit then 'warn'
            else 'ok'
        end as status,
        measures.detail
    from measures
    cross join province
    left join limits
        on measures.measure = limits.measure

)

select * from final
