-- Ed-DQAF 3.4 outliers, one row per unit compared with last year (term-1 census): 1 when
-- its enrolment change is an outlier within its affiliation, named in the detail.
select
    academic_year,
    1 as term,
    affiliation,
    district_code,
    '3.4-outliers' as dqaf_line,
    'outlier_units' as measure,
    case when is_outlier then 1.0 else 0.0 end as numerator,
    cast(null as double precision) as denominator,
    cast(null as text) as counted_key,
    case when is_outlier then unit_key end as detail_item
from {{ ref('int_scorecard__unit_enrolment_changes') }}
