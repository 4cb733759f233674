{{
    config(
        materialized='table'
    )
}}

-- Which censuses (academic_year, term) the incremental learner models recompute in this run:
-- those whose learner-record batches in raw differ from the ones the last completed build
-- saw (int_built_censuses, written at the end of that build). A batch of any other entity
-- (unit lists, DLP learners, ONAB figures, ...) can change the records of every census:
-- then every census is recomputed, as on a full build or when no build completed before.
-- Not seen here, hence rebuilt with --full-refresh: seeds, vars, the pseudonym key, models.
{%- set learner_entities = [
    ('obec_dmc', 'students'),
    ('ovec_vec', 'enrollments'),
    ('opec_psis', 'students'),
    ('dla_lec', 'learners'),
    ('dlp_itw', 'registration'),
] %}
{%- set built_relation = adapter.get_relation(this.database, this.schema, 'int_built_censuses')
    if execute and not flags.FULL_REFRESH else none %}
{#- a marker written before census stamps existed: its censuses count as never verified -#}
{%- set built_columns = adapter.get_columns_in_relation(built_relation) | map(attribute='name')
    | list if built_relation is not none else [] %}

with batches as (

    select
        batch_id,
        academic_year,
        term,
        (source, entity) in (
            {%- for source_name, entity_name in learner_entities %}
            ('{{ source_name }}', '{{ entity_name }}'){{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_learner_records
    from {{ source('raw_zone', 'batches') }}

),

census_batches as (

    select
        academic_year,
        term,
        md5(string_agg(cast(batch_id as text), ',' order by batch_id)) as census_fingerprint
    from batches
    where is_learner_records
    group by 1, 2

),

shared_batches as (

    select md5(coalesce(string_agg(cast(batch_id as text), ',' order by batch_id), ''))
        as shared_fingerprint
    from batches
    where not is_learner_records

),

built as (

    {% if built_relation is not none -%}
    select academic_year, term, census_fingerprint, shared_fingerprint,
        {{ 'built_by' if 'built_by' in built_columns else 'cast(null as text)' }} as built_by
    from {{ built_relation }}
    {%- else -%}
    select
        cast(null as integer) as academic_year,
        cast(null as integer) as term,
        cast(null as text) as census_fingerprint,
        cast(null as text) as shared_fingerprint,
        cast(null as text) as built_by
    where false
    {%- endif %}

),

compared as (

    select
        coalesce(census_batches.academic_year, built.academic_year) as academic_year,
        coalesce(census_batches.term, built.term) as term,
        census_batches.census_fingerprint,
        shared_batches.shared_fingerprint,
        census_batches.census_fingerprint is distinct from built.census_fingerprint
            or shared_batches.shared_fingerprint is distinct from built.shared_fingerprint
            as is_changed,
        built.built_by as previous_built_by
    from census_batches
    full outer join built
        on census_batches.academic_year = built.academic_year
        and census_batches.term = built.term
    cross join shared_batches

),

final as (

    select
        academic_year,
        term,
        census_fingerprint,
        shared_fingerprint,
        is_changed,
        -- the stamp of the build whose rows the census holds, for the census-scoped gates
        case when is_changed then '{{ invocation_id }}' else previous_built_by end as built_by
    from compared

)

select * from final
