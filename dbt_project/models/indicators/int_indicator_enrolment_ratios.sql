{#- Enrolment ratios against population (indicators.md §5): GER (by affiliation, ALL
    included), NER, ANER, GPI_GER, GPIA_GER, OVERAGE and GIR_LAST, for every academic
    year with a term-1 census, by area (each district and the province) and sex
    (T = M + F + unknown, M, F). Values unrounded and uncapped, before flags (OOSR is
    derived from the flagged ANER in int_indicator_flags). A cell exists for every
    combination of its denominator's keys with a denominator above 0, a missing numerator
    counting 0. -#}
{%- set ratio_levels = ["pre_primary", "primary", "lower_secondary", "upper_secondary"] %}
{%- set last_grades = ["P6", "M3"] %}

with census as (

    -- unit records and ONAB aggregates of the term-1 census, counted in the province
    select *
    from {{ ref('fct_enrolment_counts') }}
    where term = 1
      and district_code like province_code || '%'

),

census_years as (

    select distinct academic_year, province_code
    from census

),

levels as (

    -- official ages of each level = the intended ages of its grades (3-5, 6-11, 12-14,
    -- 15-17); its lowest ISCED rank decides what "that level or any higher one" is (ANER)
    select
        dim_level.level,
        min(dim_level.intended_age) as min_age,
        max(dim_level.intended_age) as max_age,
        min(isced_order.isced_rank) as min_isced_rank
    from {{ ref('dim_level') }} as dim_level
    inner join {{ ref('isced_order') }} as isced_order on dim_level.isced = isced_order.isced
    where dim_level.level in ('{{ ratio_levels | join("', '") }}')
    group by dim_level.level

),

grades as (

    select
        dim_level.grade,
        dim_level.level,
        dim_level.intended_age,
        isced_order.isced_rank
    from {{ ref('dim_level') }} as dim_level
    inner join {{ ref('isced_order') }} as isced_order on dim_level.isced = isced_order.isced

),

ger_affiliations as (

    -- GER is published for ALL and every formal affiliation of the register
    select 'ALL' as affiliation
    union
    select distinct dim_unit.affiliation
    from {{ ref('dim_unit') }} as dim_unit
    inner join {{ ref('affiliations') }} as affiliations
        on dim_unit.affiliation = affiliations.code
    where dim_unit.in_register and affiliations.is_formal

),

population as (

    -- DOPA population of the year dim_academic_year says (31 Dec C.E. Y-544, or the
    -- latest earlier one), each row once for its district and once for the province,
    -- once in sex T and once in its own sex
    select
        census_years.academic_year,
        census_years.province_code,
        area.area_code,
        sexes.sex,
        fct_population.age,
        fct_population.population
    from census_years
    inner join {{ ref('dim_academic_year') }} as years
        on census_years.academic_year = years.academic_year
    inner join {{ ref('fct_population') }} as fct_population
        on fct_population.ce_year = years.population_ce_year
        and fct_population.province_code = census_years.province_code
    cross join lateral (
        values (fct_population.district_code), (fct_population.province_code)
    ) as area (area_code)
    cross join lateral (values ('T'), (fct_population.sex)) as sexes (sex)
    where sexes.sex is not null

),

official_population as (

    select
        population.academic_year,
        population.province_code,
        population.area_code,
        population.sex,
        levels.level,
        sum(population.population) as population
    from population
    inner join levels on population.age between levels.min_age and levels.max_age
    group by 1, 2, 3, 4, 5

),

enrolled as (

    -- every counted learner once for the district and once for the province, in sex T
    -- and, when known, in M or F
    select
        census.academic_year,
        census.province_code,
        area.area_code,
        sexes.sex,
        census.affiliation,
        census.grade,
        grades.level,
        grades.intended_age,
        grades.isced_rank,
        census.age,
        census.learners,
        coalesce(census.repeaters, 0) as repeaters
    from census
    inner join grades on census.grade = grades.grade
    cross join lateral (values (census.district_code), (census.province_code)) as area (area_code)
    cross join lateral (values ('T'), (census.sex)) as sexes (sex)
    where sexes.sex is not null

),

ger_numerators as (

    select
        enrolled.academic_year,
        enrolled.area_code,
        enrolled.sex,
        enrolled.level,
        affiliation_cells.affiliation,
        sum(enrolled.learners) as numerator
    from enrolled
    cross join lateral (values ('ALL'), (enrolled.affiliation)) as affiliation_cells (affiliation)
    where enrolled.level in ('{{ ratio_levels | join("', '") }}')
    group by 1, 2, 3, 4, 5

),

ger as (

    select
        'GER' as indicator,
        official_population.academic_year,
        official_population.area_code,
        ger_affiliations.affiliation,
        official_population.level,
        '' as grade,
        official_population.sex,
        coalesce(ger_numerators.numerator, 0) as numerator,
        official_population.population as denominator,
        'percent' as unit,
        official_population.province_code
    from official_population
    cross join ger_affiliations
    left join ger_numerators
        on official_population.academic_year = ger_numerators.academic_year
        and official_population.area_code = ger_numerators.area_code
        and official_population.sex = ger_numerators.sex
        and official_population.level = ger_numerators.level
        and ger_affiliations.affiliation = ger_numerators.affiliation
    where official_population.population > 0

),

ner_numerators as (

    -- enrolled in the level, of its official ages (unknown ages never count)
    select
        enrolled.academic_year,
        enrolled.area_code,
        enrolled.sex,
        enrolled.level,
        sum(enrolled.learners) as numerator
    from enrolled
    inner join levels
        on enrolled.level = levels.level
        and enrolled.age between levels.min_age and levels.max_age
    group by 1, 2, 3, 4

),

aner_numerators as (

    -- of the level's official ages, enrolled in that level or any higher ISCED level
    select
        enrolled.academic_year,
        enrolled.area_code,
        enrolled.sex,
        levels.level,
        sum(enrolled.learners) as numerator
    from enrolled
    inner join levels
        on enrolled.age between levels.min_age and levels.max_age
        and enrolled.isced_rank >= levels.min_isced_rank
    group by 1, 2, 3, 4

),

net_rates as (

    select
        indicators.indicator,
        official_population.academic_year,
        official_population.area_code,
        'ALL' as affiliation,
        official_population.level,
        '' as grade,
        official_population.sex,
        coalesce(numerators.numerator, 0) as numerator,
        official_population.population as denominator,
        'percent' as unit,
        official_population.province_code
    from official_population
    cross join (values ('NER'), ('ANER')) as indicators (indicator)
    left join (
        select 'NER' as indicator, * from ner_numerators
        union all
        select 'ANER' as indicator, * from aner_numerators
    ) as numerators
        on indicators.indicator = numerators.indicator
        and official_population.academic_year = numerators.academic_year
        and official_population.area_code = numerators.area_code
        and official_population.sex = numerators.sex
        and official_population.level = numerators.level
    where official_population.population > 0

),

gender_parity as (

    -- GER(F) / GER(M) of the ALL cells; GPIA = GPI if GPI <= 1, else 2 - 1/GPI
    select
        female.academic_year,
        female.area_code,
        female.level,
        100.0 * female.numerator / female.denominator as ger_female,
        100.0 * male.numerator / male.denominator as ger_male,
        female.province_code
    from ger as female
    inner join ger as male
        on female.academic_year = male.academic_year
        and female.area_code = male.area_code
        and female.level = male.level
        and male.affiliation = 'ALL'
        and male.sex = 'M'
    where female.affiliation = 'ALL'
      and female.sex = 'F'
      and male.numerator > 0

),

overage_counts as (

    -- pupils of known age; over-age = 2 or more years above the grade's intended age
    select
        academic_year,
        area_code,
        sex,
        level,
        sum(learners) filter (where age >= intended_age + 2) as over_age,
        sum(learners) as known_age,
        province_code
    from enrolled
    where level in ('{{ ratio_levels | join("', '") }}')
      and age is not null
    group by academic_year, area_code, sex, level, province_code

),

gir_numerators as (

    -- new entrants to the last grade: enrolled minus repeaters (DLA: no repeaters)
    select
        academic_year,
        area_code,
        sex,
        grade,
        sum(learners - repeaters) as numerator
    from enrolled
    where grade in ('{{ last_grades | join("', '") }}')
    group by 1, 2, 3, 4

),

gir_denominators as (

    select
        population.academic_year,
        population.area_code,
        population.sex,
        grades.grade,
        sum(population.population) as population,
        population.province_code
    from population
    inner join grades on population.age = grades.intended_age
    where grades.grade in ('{{ last_grades | join("', '") }}')
    group by population.academic_year, population.area_code, population.sex, grades.grade,
        population.province_code

),

rates as (

    select * from ger

    union all

    select * from net_rates

    union all

    select
        'GPI_GER', academic_year, area_code, 'ALL', level, '', 'T',
        ger_female, ger_male, 'ratio', province_code
    from gender_parity

    union all

    select
        'GPIA_GER', academic_year, area_code, 'ALL', level, '', 'T',
        ger_female, ger_male, 'ratio', province_code
    from gender_parity

    union all

    select
        'OVERAGE', academic_year, area_code, 'ALL', level, '', sex,
        coalesce(over_age, 0), known_age, 'percent', province_code
    from overage_counts
    where known_age > 0

    union all

    select
        'GIR_LAST',
        gir_denominators.academic_year,
        gir_denominators.area_code,
        'ALL',
        '',
        gir_denominators.grade,
        gir_denominators.sex,
        coalesce(gir_numerators.numerator, 0),
        gir_denominators.population,
        'percent',
        gir_denominators.province_code
    from gir_denominators
    left join gir_numerators
        on gir_denominators.academic_year = gir_numerators.academic_year
        and gir_denominators.area_code = gir_numerators.area_code
        and gir_denominators.sex = gir_numerators.sex
        and gir_denominators.grade = gir_numerators.grade
    where gir_denominators.population > 0

),

typed as (

    select
        indicator,
        academic_year,
        area_code,
        affiliation,
        level,
        grade,
        sex,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator,
        unit,
        province_code
    from rates

)

select
    indicator,
    academic_year,
    area_code,
    affiliation,
    level,
    grade,
    '' as age_group,
    sex,
    case
        when indicator = 'GPIA_GER' and numerator / denominator > 1
            then 2 - denominator / numerator
        when unit = 'ratio' then numerator / denominator
        else 100 * numerator / denominator
    end as value,
    numerator,
    denominator,
    unit,
    province_code
from typed
