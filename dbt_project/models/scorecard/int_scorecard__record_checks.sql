{#- The checks of Ed-DQAF 3.2 on every learner record as it stands (the latest version of
    each source key), with the district of its unit at that census: a usable ID, a known
    grade, a birth date that gives an age plausible for the grade, a typed age that agrees
    with the birth date (DLA), a known sex. Plausible for the grade = the age from the
    birth date within [intended age - below, intended age + above] of the grade (var
    `plausible_age_for_grade`, default below 2, above 4 years); a grade without an
    intended age (DLP levels) takes any age the birth date gives (2-99). -#}
{#- Incremental by census (config in _scorecard__models.yml), as the learner models it
    reads: a record's checks depend on its own census only (units and placements changing
    mark every census changed). -#}
{%- set age_band = var('plausible_age_for_grade', {'below': 2, 'above': 4}) %}

with records as (

    select * from {{ ref('int_learner_records_latest') }}
    where {{ changed_censuses_filter() }}

),

-- the age each birth date gives, worked out once per distinct date and year
birth_ages as (

    select
        birth_date,
        academic_year,
        {{ age_on_reference('birth_date', 'academic_year') }} as age_from_birth
    from (
        select distinct birth_date, academic_year
        from records
        where birth_date is not null
    ) as births

),

checked as (

    select
        records.source,
        records.batch_id,
        records.affiliation,
        records.academic_year,
        records.term,
        records.record_key,
        records.container,
        records.locator,
        records.unit_key,
        placements.district_code,
        records.grade,
        records.id_class,
        birth_ages.age_from_birth,
        records.typed_age,
        levels.intended_age,
        records.has_usable_id as has_valid_id,
        records.grade is not null as has_known_grade,
        records.birth_date is not null as has_birth_date,
        coalesce(
            birth_ages.age_from_birth
                between levels.intended_age - {{ age_band['below'] | int }}
                and levels.intended_age + {{ age_band['above'] | int }},
            levels.intended_age is null and birth_ages.age_from_birth is not null
        ) as has_plausible_birth_date,
        coalesce(records.typed_age <> birth_ages.age_from_birth, false) as typed_age_disagrees,
        records.sex is not null as has_known_sex
    from records
    left join birth_ages
        on records.birth_date = birth_ages.birth_date
        and records.academic_year = birth_ages.academic_year
    left join {{ ref('grade_levels') }} as levels
        on records.grade = levels.grade
    left join {{ ref('int_unit_placements') }} as placements
        on records.unit_key = placements.unit_key
        and records.academic_year = placements.academic_year
        and records.term = placements.term

)

select * from checked
