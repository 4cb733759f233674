-- depends_on: {{ ref('int_multiple_enrolments') }}
-- depends_on: {{ ref('fct_enrolment') }}
-- depends_on: {{ ref('fct_cohort_link') }}
-- depends_on: {{ ref('fct_enrolment_counts') }}
-- depends_on: {{ ref('int_scorecard__record_checks') }}
-- depends_on: {{ ref('int_scorecard__uniqueness_items') }}
-- depends_on: {{ ref('int_teachers') }}

-- The census batches this build brought the incremental learner models up to, read by the
-- next build's int_changed_censuses. It runs after the last of those models (depends_on)
-- and their tests: when one of them fails or is skipped, this state stays as it was and the
-- next build recomputes the same censuses again.
select academic_year, term, census_fingerprint, shared_fingerprint, built_by
from {{ ref('int_changed_censuses') }}
where census_fingerprint is not null
