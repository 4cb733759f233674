{#- A view: the union only copies the staged rows, and writing 1.2 million of them took
    6-9 s of the Rayong build; int_learner_records_latest reads them once, by census. -#}
{{ config(materialized='view') }}

-- The five unit-record sources in one shape (one row per staged record, re-submissions
-- included). DLP registrations carry their learner's attributes (latest learner row).
with obec as (

    select
        'obec_dmc' as source, 'OBEC' as affiliation, batch_id, academic_year, term,
        container, record_key, unit_code, person_key, id_class, previous_person_key,
        previous_id_class, sex, birth_date, age, grade, isced, status, is_studying,
        is_repeater, source_ts, cast(null as text) as learner_key,
        locator, cast(null as integer) as typed_age
    from {{ ref('stg_obec_dmc__students') }}

),

ovec as (

    select
        'ovec_vec', 'OVEC', batch_id, academic_year, term,
        container, record_key, unit_code, person_key, id_class, previous_person_key,
        previous_id_class, sex, birth_date, age, grade, isced, status, is_studying,
        is_repeater, source_ts, cast(null as text), locator, cast(null as integer)
    from {{ ref('stg_ovec_vec__enrollments') }}

),

opec as (

    select
        'opec_psis', 'OPEC', batch_id, academic_year, term,
        container, record_key, unit_code, person_key, id_class, previous_person_key,
        previous_id_class, sex, birth_date, age, grade, isced, status, is_studying,
        is_repeater, source_ts, cast(null as text), locator, cast(null as integer)
    from {{ ref('stg_opec_psis__students') }}

),

dla as (

    select
        'dla_lec', 'DLA', batch_id, academic_year, term,
        container, record_key, unit_code, person_key, id_class, previous_person_key,
        previous_id_class, sex, birth_date, age, grade, isced, status, is_studying,
        is_repeater, source_ts, cast(null as text), locator, typed_age
    from {{ ref('stg_dla_lec__learners') }}

),

dlp_learners as (

    select
        *,
        row_number() over (
            partition by learner_id order by updated_at desc nulls last, batch_id desc
        ) as row_no
    from {{ ref('stg_dlp_itw__learner') }}

),

dlp as (

    select
        'dlp_itw', 'DLP', registration.batch_id, registration.academic_year, registration.term,
        cast(null as text), registration.record_key, registration.unit_code,
        learner.person_key, coalesce(learner.id_class, 'none'), cast(null as text), 'none',
        learner.sex, learner.birth_date,
        {{ age_on_reference('learner.birth_date', 'registration.academic_year') }},
        registration.nfe_level, levels.isced, registration.status, registration.is_registered,
        cast(null as boolean), registration.source_ts, registration.learner_key,
        cast(null as text), cast(null as integer)
    from {{ ref('stg_dlp_itw__registration') }} as registration
    left join dlp_learners as learner
        on registration.learner_id = learner.learner_id
        and learner.row_no = 1
    left join {{ ref('nfe_levels') }} as levels
        on registration.nfe_level = levels.grade

),

unioned as (

    select * from obec
    union all select * from ovec
    union all select * from opec
    union all select * from dla
    union all select * from dlp

),

final as (

    select
        unioned.*,
        unioned.affiliation || '|' || unioned.unit_code as unit_key,
        coalesce(id_classes.is_usable, false) and unioned.person_key is not null as has_usable_id,
        affiliations.is_formal
    from unioned
    left join {{ ref('id_classes') }} as id_classes
        on unioned.id_class = id_classes.id_class
    left join {{ ref('affiliations') }} as affiliations
        on unioned.affiliation = affiliations.code

)

select * from final
