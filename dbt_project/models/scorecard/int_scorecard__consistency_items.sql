{#- Ed-DQAF 4.2 consistency.
    cells_enrolled_over_population: one row per age x district x sex cell of the term-1
    census (formal learners of known age and sex, all affiliations) against the DOPA
    population of the year dim_academic_year uses; 1 when more are enrolled than live
    there. Not by affiliation (affiliation null: the scorecard reports it under ALL).
    year_over_year_change: enrolment of each affiliation, district and term against the
    same census of the year before (numerator = the change, denominator = last year's). -#}

with enrolment as (

    select * from {{ ref('fct_enrolment_counts') }}

),

years as (

    select academic_year, population_ce_year
    from {{ ref('dim_academic_year') }}

),

enrolled_cells as (

    select academic_year, district_code, age, sex, sum(learners) as learners
    from enrolment
    where term = 1 and age is not null and sex is not null
    group by 1, 2, 3, 4

),

population_cells as (

    select years.academic_year, population.district_code, population.age, population.sex,
        population.population
    from {{ ref('fct_population') }} as population
    inner join years
        on population.ce_year = years.population_ce_year

),

cells as (

    select
        academic_year, district_code, age, sex,
        coalesce(enrolled_cells.learners, 0) as learners,
        coalesce(population_cells.population, 0) as population
    from enrolled_cells
    full outer join population_cells using (academic_year, district_code, age, sex)

),

cells_over_population as (

    select
        cells.academic_year,
        1 as term,
        cast(null as text) as affiliation,
        cells.district_code,
        'cells_enrolled_over_population' as measure,
        case when cells.learners > cells.population then 1 else 0 end as numerator,
        cast(null as bigint) as denominator,
        case
            when cells.learners > cells.population
                then format('%s age %s %s: %s enrolled, population %s',
                    cells.district_code, cells.age, cells.sex, cells.learners, cells.population)
        end as detail_item
    from cells
    -- only years whose population is known
    inner join years
        on cells.academic_year = years.academic_year
        and years.population_ce_year is not null

),

totals as (

    select academic_year, term, affiliation, district_code, sum(learners) as learners
    from enrolment
    group by 1, 2, 3, 4

),

-- last year's totals, under the year they are compared in
previous_totals as (

    select academic_year + 1 as academic_year, term, affiliation, district_code, learners
    from totals

),

year_pairs as (

    select
        academic_year, term, affiliation, district_code,
        coalesce(current_year.learners, 0) as learners,
        coalesce(previous_year.learners, 0) as previous_learners
    from totals as current_year
    full outer join previous_totals as previous_year
        using (academic_year, term, affiliation, district_code)

),

year_over_year as (

    select
        year_pairs.academic_year,
        year_pairs.term,
        year_pairs.affiliation,
        year_pairs.district_code,
        'year_over_year_change' as measure,
        year_pairs.learners - year_pairs.previous_learners as numerator,
        year_pairs.previous_learners as denominator,
        case
            when year_pairs.previous_learners = 0
                then format('%s in %s: no learners in %s', year_pairs.affiliation,
                    year_pairs.district_code, year_pairs.academic_year - 1)
        end as detail_item
    from year_pairs
    -- both years must be in the warehouse
    inner join years as current_years
        on year_pairs.academic_year = current_years.academic_year
    inner join years as previous_years
        on year_pairs.academic_year - 1 = previous_years.academic_year

),

unioned as (

    select * from cells_over_population
    union all
    select * from year_over_year

)

{{ scorecard_items('unioned', dqaf_line='4.2') }}
