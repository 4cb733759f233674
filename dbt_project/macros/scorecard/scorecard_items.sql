{#- The columns every int_scorecard__*_items model gives the scorecard, from a relation of
    measure rows (academic_year, term, affiliation, district_code, measure, numerator,
    denominator, detail_item) of one Ed-DQAF line; no item is a counted key. -#}
{% macro scorecard_items(relation, dqaf_line) -%}
select
    academic_year,
    term,
    affiliation,
    district_code,
    '{{ dqaf_line }}' as dqaf_line,
    measure,
    cast(numerator as double precision) as numerator,
    cast(denominator as double precision) as denominator,
    cast(null as text) as counted_key,
    detail_item
from {{ relation }}
{%- endmacro %}
