{#- Row filters of the census-partitioned incremental models (int_changed_censuses): on an
    incremental run, the rows of the censuses (academic_year, term) to recompute; on a full
    build, every row (`true`). ref() is called in every case so that dbt records the
    dependency when it parses the model (is_incremental() is false then). -#}

{% macro changed_censuses_filter(year_column='academic_year', term_column='term') %}
    {%- set changes = ref('int_changed_censuses') -%}
    {%- if is_incremental() -%}
        ({{ year_column }}, {{ term_column }}) in (
            select academic_year, term from {{ changes }} where is_changed
        )
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- The same filter with the changed censuses written out as values. PostgreSQL pushes no
    condition holding a subquery into the branches of a UNION ALL view, so a reader of
    int_learner_records (a view) filtered by changed_censuses_filter() computed every
    census of the view; with values, each branch reads only its changed censuses. -#}
{% macro changed_censuses_values_filter(year_column='academic_year', term_column='term') %}
    {%- set changes = ref('int_changed_censuses') -%}
    {%- if is_incremental() and execute -%}
        {%- set changed = run_query(
            "select academic_year, term from " ~ changes ~ " where is_changed") -%}
        {%- if changed.rows | length == 0 -%}
        false
        {%- else -%}
        ({{ year_column }}, {{ term_column }}) in (
            {%- for row in changed.rows -%}
            ({{ row[0] | int }}, {{ row[1] | int }}){{ ", " if not loop.last }}
            {%- endfor -%})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- changed_censuses_filter(), and the censuses int_changed_censuses does not know: those
    of a model's other inputs that have no learner records (ONAB's aggregate counts), whose
    batches are not learner-record batches, so are recomputed on every run. -#}
{% macro changed_or_unmarked_censuses_filter(year_column='academic_year', term_column='term') %}
    {%- set changes = ref('int_changed_censuses') -%}
    {%- if is_incremental() -%}
        ({{ changed_censuses_filter(year_column, term_column) }}
            or ({{ year_column }}, {{ term_column }}) not in (
                select academic_year, term from {{ changes }}
            ))
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- A cohort year t (fct_cohort_link, int_person_links scope `cohort`) spans the term-1
    censuses of t and t + 1: it is recomputed when either of them changed. -#}
{% macro changed_cohort_years_filter(year_column='academic_year') %}
    {%- set changes = ref('int_changed_censuses') -%}
    {%- if is_incremental() -%}
        {{ year_column }} in (
            select academic_year from {{ changes }} where is_changed and term = 1
            union
            select academic_year - 1 from {{ changes }} where is_changed and term = 1
        )
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- Pre-hook of an incremental model: its rows that the run recomputes (`stale_rows`, one of
    the filters above) are deleted first, in the model's transaction; the model's query then
    appends their new version. A census that has no rows any more (its batches were
    replaced by empty ones) is emptied this way too. -#}
{% macro delete_stale_rows(stale_rows) %}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ stale_rows }}
    {%- endif -%}
{% endmacro %}
