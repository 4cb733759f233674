-- DLP registrations of term 1 with status registered: one row per learner per centre and
-- year (the latest registration when there are several).
with registrations as (

    select * from {{ ref('int_learner_records_latest') }}
    where affiliation = 'DLP'
        and term = 1
        and status = 'registered'

),

ranked as (

    select
        *,
        row_number() over (
            partition by learner_key, academic_year, unit_key
            order by source_ts desc nulls last, record_key collate "C" desc
        ) as row_no
    from registrations

),

province as (

    select province_code from {{ ref('int_province') }}

),

final as (

    select
        ranked.academic_year,
        ranked.learner_key,
        ranked.unit_key,
        placements.district_code,
        province.province_code,
        ranked.grade as nfe_level,
        ranked.sex,
        ranked.age,
        age_groups.age_group
    from ranked
    cross join province
    left join {{ ref('int_unit_placements') }} as placements
        on ranked.unit_key = placements.unit_key
        and ranked.academic_year = placements.academic_year
        and ranked.term = placements.term
    left join {{ ref('age_groups_nfe') }} as age_groups
        on (ranked.age is null and age_groups.min_age is null)
        or (ranked.age >= age_groups.min_age and ranked.age <= coalesce(age_groups.max_age, 999))
    where ranked.row_no = 1
        and starts_with(placements.district_code, province.province_code)

)

select * from final
