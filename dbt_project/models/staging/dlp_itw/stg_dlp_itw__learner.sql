with source as (

    select * from {{ source('dlp_itw', 'learner') }}
    {% if is_incremental() %}
    where _batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}

),

renamed as (

    select
        -- lineage
        _batch_id as batch_id,
        cast(_academic_year as integer) as academic_year,
        cast(_term as integer) as term,

        -- keys
        btrim(learner_id) as learner_id,
        {{ normalize_person_id('id_card') }} as person_id_norm,

        -- typed codes; the title is read only for the sex fallback
        {{ code_lookup_key('gender') }} as sex_code,
        {{ code_lookup_key('title') }} as name_prefix,
        {{ code_lookup_key('nationality') }} as nationality_spelling,

        -- dates: C.E.; timestamps without offset are Bangkok time
        {{ parse_thai_date('birthday', 'CE') }} as birth_date,
        cast(nullif(btrim(updated_at), '') as timestamp) at time zone 'Asia/Bangkok' as updated_at

    from source

),

final as (

    select
        renamed.batch_id,
        renamed.academic_year,
        renamed.term,
        renamed.learner_id,
        {{ pseudonymize("'DLP|' || renamed.learner_id") }} as learner_key,
        {{ pseudonymize('renamed.person_id_norm') }} as person_key,
        {{ person_id_class('renamed.person_id_norm') }} as id_class,
        coalesce(sexes.sex, prefix_sex.sex) as sex,
        nationalities.nationality,
        renamed.birth_date,
        renamed.updated_at

    from renamed
    left join {{ ref('sex_crosswalk') }} as sexes
        on renamed.sex_code = sexes.spelling
    left join lateral (
        select prefixes.sex
        from {{ ref('name_prefix_sex') }} as prefixes
        where starts_with(renamed.name_prefix, prefixes.prefix)
        order by length(prefixes.prefix) desc
        limit 1
    ) as prefix_sex on true
    left join {{ ref('nationality_crosswalk') }} as nationalities
        on renamed.nationality_spelling = nationalities.spelling

)

select * from final
