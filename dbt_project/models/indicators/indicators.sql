{#- The published long table: one row per indicator cell (indicators.md §5-6), the columns
    of the simulators' reference output (docs/simulators.md) plus province_code. Values
    unrounded and uncapped: the publication step caps and withholds by the flags. -#}

select
    cast(indicator as text) as indicator,
    cast(academic_year as integer) as academic_year,
    cast(area_code as text) as area_code,
    cast(affiliation as text) as affiliation,
    cast(level as text) as level,
    cast(grade as text) as grade,
    cast(age_group as text) as age_group,
    cast(sex as text) as sex,
    cast(value as double precision) as value,
    cast(numerator as double precision) as numerator,
    cast(denominator as double precision) as denominator,
    cast(unit as text) as unit,
    cast(flags as text) as flags,
    cast(province_code as text) as province_code
from {{ ref('int_indicator_flags') }}
