-- The units to follow up (Ed-DQAF 3.4): |modified z| of their enrolment change from last
-- year above 3.5 within their affiliation (int_scorecard__unit_enrolment_changes).
select
    province_code,
    academic_year,
    affiliation,
    unit_key,
    unit_name,
    district_code,
    enrolment,
    previous_enrolment,
    change,
    modified_z
from {{ ref('int_scorecard__unit_enrolment_changes') }}
where is_outlier
