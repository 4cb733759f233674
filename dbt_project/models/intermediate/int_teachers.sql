-- Staff records of the four record sources (latest copy of each source key: for OPEC and
-- DLA the newest file delivery), one row per teacher record and distinct level taught, with
-- the FTE split equally over the levels (1.0 where the source gives none); plus ONAB's
-- per-school totals split across levels in proportion to its per-level counts.
-- Directors and staff with no level taught are not teachers (indicators.md §5).
-- Incremental by census (int_changed_censuses): teacher batches are not learner batches, so a
-- new one marks every census changed.
with staff as (

    select 'obec_dmc' as source, 'OBEC' as affiliation, batch_id, cast(null as timestamptz) as source_ts,
        academic_year, term, record_key, unit_code, is_director, has_bachelor, is_licensed,
        levels_taught, fte
    from {{ ref('stg_obec_dmc__teachers') }}
    union all
    select 'ovec_vec', 'OVEC', batch_id, null, academic_year, term, record_key, unit_code,
        is_director, has_bachelor, is_licensed, levels_taught, fte
    from {{ ref('stg_ovec_vec__teachers') }}
    union all
    select 'opec_psis', 'OPEC', batch_id, source_ts, academic_year, term, record_key, unit_code,
        is_director, has_bachelor, is_licensed, levels_taught, fte
    from {{ ref('stg_opec_psis__teachers') }}
    union all
    select 'dla_lec', 'DLA', batch_id, source_ts, academic_year, term, record_key, unit_code,
        is_director, has_bachelor, is_licensed, levels_taught, fte
    from {{ ref('stg_dla_lec__staff') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by record_key, source, academic_year, term
            order by source_ts desc nulls last, batch_id desc
        ) as version_no
    from staff
    where {{ changed_censuses_values_filter() }}  -- values: pushed into each view of the union

),

record_levels as (

    select
        latest.source,
        latest.affiliation,
        latest.academic_year,
        latest.term,
        latest.record_key,
        latest.affiliation || '|' || latest.unit_code as unit_key,
        taught.level,
        coalesce(latest.fte, 1.0) / cardinality(array(select distinct unnest(latest.levels_taught)))
            as fte,
        1.0 as headcount,
        case when latest.has_bachelor then 1.0 else 0.0 end as with_bachelor,
        case when latest.is_licensed then 1.0 else 0.0 end as with_license,
        false as from_aggregate
    from latest
    cross join lateral (
        select distinct level from unnest(latest.levels_taught) as levels(level)
    ) as taught
    where latest.version_no = 1
        and not latest.is_director
        and cardinality(latest.levels_taught) > 0

),

onab_batches as (

    select academic_year, term, max(batch_id) as batch_id
    from {{ ref('stg_onab_report__teachers') }}
    group by 1, 2

),

onab_levels as (

    select
        onab.academic_year,
        onab.term,
        onab.unit_code,
        onab.teachers_total,
        onab.with_bachelor,
        onab.with_license,
        taught.level,
        cast(per_level.value as numeric) as level_count,
        sum(cast(per_level.value as numeric)) over (
            partition by onab.batch_id, onab.unit_code
        ) as level_sum
    from {{ ref('stg_onab_report__teachers') }} as onab
    inner join onab_batches
        on onab.batch_id = onab_batches.batch_id
    cross join lateral jsonb_each_text(onab.levels_json) as per_level(spelling, value)
    left join {{ ref('level_taught_crosswalk') }} as taught
        on taught.spelling = {{ code_lookup_key('per_level.spelling') }}
    where {{ changed_censuses_filter('onab.academic_year', 'onab.term') }}

),

onab as (

    select
        'onab_report' as source,
        'ONAB' as affiliation,
        academic_year,
        term,
        unit_code || '|' || level as record_key,
        'ONAB|' || unit_code as unit_key,
        level,
        teachers_total * level_count / nullif(level_sum, 0) as fte,
        teachers_total * level_count / nullif(level_sum, 0) as headcount,
        with_bachelor * level_count / nullif(level_sum, 0) as with_bachelor,
        with_license * level_count / nullif(level_sum, 0) as with_license,
        true as from_aggregate
    from onab_levels
    where level is not null and level_sum > 0

),

unioned as (

    select * from record_levels
    union all
    select * from onab

),

final as (

    select
        unioned.*,
        placements.district_code,
        placements.province_code
    from unioned
    left join {{ ref('int_unit_placements') }} as placements
        on unioned.unit_key = placements.unit_key
        and unioned.academic_year = placements.academic_year
        and unioned.term = placements.term

)

select * from final
