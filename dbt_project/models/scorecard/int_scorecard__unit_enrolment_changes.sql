{#- Ed-DQAF 3.4 outliers: each unit's term-1 enrolment (unit records and ONAB cells) against
    the year before, for units with learners in both years. change = percent change from
    last year; modified z = 0.6745 (change - median) / MAD, the median and the median
    absolute deviation taken over the units of the same affiliation and year (Iglewicz and
    Hoaglin); null when MAD is 0 (no spread to judge against). |modified z| > 3.5 is an
    outlier. -#}
{%- set outlier_threshold = 3.5 %}

with enrolment as (

    select
        academic_year,
        affiliation,
        unit_key,
        cast(sum(learners) as double precision) as enrolment
    from {{ ref('fct_enrolment_counts') }}
    where term = 1
    group by 1, 2, 3

),

changes as (

    select
        current_year.academic_year,
        current_year.affiliation,
        current_year.unit_key,
        current_year.enrolment,
        previous_year.enrolment as previous_enrolment,
        100 * (current_year.enrolment - previous_year.enrolment) / previous_year.enrolment as change
    from enrolment as current_year
    inner join enrolment as previous_year
        on current_year.unit_key = previous_year.unit_key
        and current_year.academic_year - 1 = previous_year.academic_year
    where previous_year.enrolment > 0

),

medians as (

    select
        academic_year,
        affiliation,
        percentile_cont(0.5) within group (order by change) as median_change
    from changes
    group by 1, 2

),

spreads as (

    select
        medians.academic_year,
        medians.affiliation,
        medians.median_change,
        percentile_cont(0.5) within group (
            order by abs(changes.change - medians.median_change)
        ) as median_absolute_deviation
    from medians
    inner join changes
        on medians.academic_year = changes.academic_year
        and medians.affiliation = changes.affiliation
    group by 1, 2, 3

),

scored as (

    select
        changes.*,
        spreads.median_change,
        spreads.median_absolute_deviation,
        case
            when spreads.median_absolute_deviation > 0
                then 0.6745 * (changes.change - spreads.median_change)
                    / spreads.median_absolute_deviation
        end as modified_z
    from changes
    inner join spreads
        on changes.academic_year = spreads.academic_year
        and changes.affiliation = spreads.affiliation

),

final as (

    select
        scored.*,
        coalesce(abs(scored.modified_z) > {{ outlier_threshold }}, false) as is_outlier,
        units.name_th as unit_name,
        units.district_code,
        units.province_code
    from scored
    left join {{ ref('dim_unit') }} as units
        on scored.unit_key = units.unit_key

)

select * from final
