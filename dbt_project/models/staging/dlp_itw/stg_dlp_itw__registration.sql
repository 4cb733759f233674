with source as (

    select * from {{ source('dlp_itw', 'registration') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(_academic_year as integer) as academic_year,
        cast(_term as integer) as term,
        _container as container,

        -- keys
        btrim(reg_id) as record_key,
        btrim(learner_id) as learner_id,
        btrim(center_id) as unit_code,

        -- semester as typed ('1/2567')
        {{ code_lookup_key('semester') }} as semester,
        {{ code_lookup_key('level') }} as level_spelling,
        {{ code_lookup_key('status') }} as status_spelling,

        -- timestamps without offset are Bangkok time
        cast(nullif(btrim(registered_at), '') as timestamp) at time zone 'Asia/Bangkok' as source_ts

    from source

),

final as (

    select
        renamed.batch_id,
        renamed.academic_year,
        renamed.term,
        renamed.container,
        renamed.record_key,
        renamed.learner_id,
        -- the DLP learner_id as a pseudonym (it identifies a person in ITw)
        {{ pseudonymize("'DLP|' || renamed.learner_id") }} as learner_key,
        renamed.unit_code,
        renamed.semester,
        grades.grade as nfe_level,
        statuses.status,
        statuses.is_studying as is_registered,
        renamed.source_ts

    from renamed
    left join {{ ref('grade_crosswalk') }} as grades
        on grades.source = 'DLP' and renamed.level_spelling = grades.spelling
    left join {{ ref('status_crosswalk') }} as statuses
        on statuses.source = 'DLP' and renamed.status_spelling = statuses.spelling

)

select * from final
