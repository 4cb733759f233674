{#- Affiliations with no successful extraction for a term-1 census (indicators.md §6,
    `incomplete`), from the dbt var `failed_affiliations` (default: none). Each entry is
    an affiliation code (failed every year) or a mapping
    {affiliation: <code>, academic_year: <B.E. year>}; e.g.
      dbt build --vars '{failed_affiliations: [ONAB, {affiliation: OBEC, academic_year: 2567}]}'
    A null academic_year means every year. -#}
{%- set failed = var('failed_affiliations', []) %}

{%- if failed | length == 0 %}

select
    cast(null as text) as affiliation,
    cast(null as integer) as academic_year
where false

{%- else %}

select affiliation, academic_year
from (
    values
    {%- for entry in failed %}
        {%- if entry is mapping %}
        ('{{ entry["affiliation"] }}', cast({{ entry.get("academic_year") or "null" }} as integer))
        {%- else %}
        ('{{ entry }}', cast(null as integer))
        {%- endif %}
        {{- "," if not loop.last }}
    {%- endfor %}
) as failed (affiliation, academic_year)

{%- endif %}
