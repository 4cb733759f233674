{#- Every landed batch with the affiliation that answers for it, the census it belongs to,
    when it arrived, and whether its bookkeeping agrees with the rows really kept in the
    raw zone (rows received = rows found loaded + rows found quarantined). A batch without
    a year (unit lists, population files, the register) belongs to the academic year and
    term of its extraction day (Bangkok time; the year starts on age_reference_month_day,
    term 2 on 1 November). -#}
{%- set year_month, year_day = month_day_setting('age_reference_month_day', '05-16') %}
{%- set year_start = '%02d-%02d' % (year_month, year_day) %}
{%- set raw_entities = [
    ('obec_dmc', 'schools'), ('obec_dmc', 'students'), ('obec_dmc', 'teachers'),
    ('ovec_vec', 'colleges'), ('ovec_vec', 'enrollments'), ('ovec_vec', 'teachers'),
    ('opec_psis', 'schools'), ('opec_psis', 'students'), ('opec_psis', 'teachers'),
    ('dla_lec', 'units'), ('dla_lec', 'learners'), ('dla_lec', 'staff'),
    ('dlp_itw', 'center'), ('dlp_itw', 'facilitator'), ('dlp_itw', 'learner'),
    ('dlp_itw', 'registration'),
    ('onab_report', 'enrolment'), ('onab_report', 'teachers'),
    ('dopa_population', 'population'),
    ('peo_registry', 'units'),
] %}

with batches as (

    select * from {{ source('raw_zone', 'batches') }}

),

-- a raw table missing from this list leaves its batches unreconciled (the gate fails)
loaded_rows as (

    {%- for source_name, table_name in raw_entities %}
    select _batch_id as batch_id, count(*) as rows_found
    from {{ source(source_name, table_name) }}
    group by 1
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}

),

loaded_per_batch as (

    select batch_id, sum(rows_found) as rows_found
    from loaded_rows
    group by 1

),

quarantined_rows as (

    select batch_id, sum(rows_counted) as rows_found
    from {{ source('raw_zone', 'quarantine') }}
    group by 1

),

extraction_days as (

    select
        batch_id,
        cast(extracted_at at time zone 'Asia/Bangkok' as date) as extraction_day
    from batches

),

extraction_periods as (

    select
        batch_id,
        cast(extract(year from extraction_day) as integer) + 543
            - case when to_char(extraction_day, 'MM-DD') < '{{ year_start }}' then 1 else 0 end
            as academic_year,
        case
            when to_char(extraction_day, 'MM-DD') between '{{ year_start }}' and '10-31' then 1
            else 2
        end as term
    from extraction_days

),

final as (

    select
        batches.batch_id,
        batches.source,
        batches.entity,
        affiliations.affiliation,
        coalesce(batches.academic_year, extraction_periods.academic_year) as academic_year,
        coalesce(batches.term, extraction_periods.term) as term,
        batches.academic_year is not null as is_per_census,
        batches.container,
        batches.source_timestamp,
        batches.extracted_at,
        coalesce(batches.source_timestamp, batches.extracted_at) as arrived_at,
        batches.rows_received,
        batches.rows_loaded,
        batches.rows_quarantined,
        coalesce(loaded_per_batch.rows_found, 0) as rows_found_loaded,
        coalesce(quarantined_rows.rows_found, 0) as rows_found_quarantined,
        batches.rows_loaded = coalesce(loaded_per_batch.rows_found, 0)
            and batches.rows_quarantined = coalesce(quarantined_rows.rows_found, 0)
            and batches.rows_received = batches.rows_loaded + batches.rows_quarantined
            as is_reconciled
    from batches
    inner join extraction_periods
        on batches.batch_id = extraction_periods.batch_id
    left join loaded_per_batch
        on batches.batch_id = loaded_per_batch.batch_id
    left join quarantined_rows
        on batches.batch_id = quarantined_rows.batch_id
    left join {{ ref('int_scorecard__source_affiliations') }} as affiliations
        on batches.source = affiliations.source

)

select * from final
