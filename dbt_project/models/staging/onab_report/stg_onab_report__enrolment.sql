with source as (

    select * from {{ source('onab_report', 'enrolment') }}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(_academic_year as integer) as academic_year,
        cast(_term as integer) as term,
        _locator as locator,

        -- unit
        btrim(school_code) as unit_code,
        nullif(btrim(tambon_code), '') as tambon_code,

        -- cell: grade, age (completed years on 16 May; 'ไม่ทราบ' = unknown), sex
        {{ code_lookup_key('grade') }} as grade_spelling,
        case when {{ code_lookup_key('age') }} ~ '^[0-9]{1,3}$' then cast({{ code_lookup_key('age') }} as integer) end as age,
        {{ code_lookup_key('sex') }} as sex_code,

        -- counts
        {{ thai_count('count') }} as learners,
        coalesce({{ thai_count('repeaters') }}, 0) as repeaters,
        cast(nullif(btrim(generated_at), '') as timestamptz) as source_ts

    from source

),

final as (

    select
        renamed.batch_id,
        renamed.academic_year,
        renamed.term,
        renamed.locator,
        renamed.unit_code,
        renamed.tambon_code,
        grades.grade,
        levels.isced,
        levels.level,
        renamed.age,
        sexes.sex,
        renamed.learners,
        renamed.repeaters,
        renamed.source_ts

    from renamed
    left join {{ ref('grade_crosswalk') }} as grades
        on grades.source = 'ONAB' and renamed.grade_spelling = grades.spelling
    left join {{ ref('grade_levels') }} as levels
        on grades.grade = levels.grade
    left join {{ ref('sex_crosswalk') }} as sexes
        on renamed.sex_code = sexes.spelling

)

select * from final
