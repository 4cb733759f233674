with source as (

    select * from {{ source('dla_lec', 'staff') }}

),

batches as (

    select batch_id, source_timestamp from {{ source('raw_zone', 'batches') }}

),

renamed as (

    select
        -- lineage
        source._batch_id as batch_id,
        cast(source._academic_year as integer) as academic_year,
        cast(source._term as integer) as term,
        source._container as container,
        batches.source_timestamp as source_ts,

        -- keys: local authority, unit code and the sheet row
        btrim(source.lao_code) || '|' || btrim(source.unit_code) || '|' || btrim(source.row_no) as record_key,
        btrim(source.unit_code) as unit_code,
        {{ pseudonymize(normalize_person_id('source.citizen_id')) }} as person_key,
        {{ person_id_class(normalize_person_id('source.citizen_id')) }} as id_class,

        -- attributes
        {{ code_lookup_key('source.sex') }} as sex_code,
        {{ code_lookup_key('source.position') }} as position_spelling,
        {{ code_lookup_key('source.degree') }} as degree_spelling,
        {{ code_lookup_key('source.licensed') }} = 'มี' as is_licensed,
        source.levels_taught as levels_taught_text

    from source
    left join batches
        on source._batch_id = batches.batch_id

),

final as (

    select
        renamed.batch_id,
        renamed.academic_year,
        renamed.term,
        renamed.container,
        renamed.source_ts,
        renamed.record_key,
        renamed.unit_code,
        renamed.person_key,
        renamed.id_class,
        sexes.sex,
        positions.position,
        coalesce(positions.is_director, false) as is_director,
        degrees.degree,
        coalesce(degrees.has_bachelor, false) as has_bachelor,
        renamed.is_licensed,
        -- levels taught, '|'-separated, decoded
        array(
            select taught.level
            from unnest(string_to_array(renamed.levels_taught_text, '|')) with ordinality as typed(spelling, position_no)
            inner join {{ ref('level_taught_crosswalk') }} as taught
                on taught.spelling = {{ code_lookup_key('typed.spelling') }}
            order by typed.position_no
        ) as levels_taught,
        cast(null as numeric) as fte

    from renamed
    left join {{ ref('sex_crosswalk') }} as sexes
        on renamed.sex_code = sexes.spelling
    left join {{ ref('position_crosswalk') }} as positions
        on renamed.position_spelling = positions.spelling
    left join {{ ref('degree_crosswalk') }} as degrees
        on renamed.degree_spelling = degrees.spelling

)

select * from final
