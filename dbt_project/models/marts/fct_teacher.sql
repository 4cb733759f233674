-- One row per counted teacher per level taught, term 1 (indicators.md §5, teachers).
with teachers as (

    select * from {{ ref('int_teachers') }}
    where term = 1

),

final as (

    select
        md5(source || '|' || academic_year || '|' || term || '|' || record_key || '|' || level)
            as teacher_level_key,
        academic_year,
        term,
        affiliation,
        unit_key,
        district_code,
        province_code,
        level,
        cast(fte as numeric) as fte,
        cast(headcount as numeric) as headcount,
        cast(with_bachelor as numeric) as with_bachelor,
        cast(with_license as numeric) as with_license
    from teachers
    where starts_with(district_code, province_code)

)

select * from final
