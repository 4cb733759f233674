{#- Error gates on the census-partitioned learner models read only the censuses this build
    recomputed (int_changed_censuses), when the gate judges each row alone (not_null,
    accepted_values, within_bounds, no_clear_identifiers) or the rows of one census together
    (unique_combination_of_columns over academic_year, term and more). Every other census
    holds the rows the last completed build left, and that build passed these gates on them:
    int_built_censuses, from which "changed" is reckoned, is written only once these models
    and their tests have passed. A full build changes every census, so it tests every row.
    `--vars '{test_every_census: true}'` tests every row whatever changed (a `dbt test` by
    hand). Rows without a census (null year or term) are always tested. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where', '') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set censuses = changed_censuses_of_test(relation) if execute else none -%}
    {%- if censuses is not none -%}
        {%- do conditions.append(censuses) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
                      ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The census condition of the running test, or none when it reads every row. -#}
{% macro changed_censuses_of_test(relation) -%}
    {#- int_learner_records is a view over staging, whose rows change only with their
        census's batches (other batches change every census), as the models' rows do -#}
    {%- set partitioned = ['int_learner_records', 'int_learner_records_latest',
                           'int_enrolment_census', 'int_enrolment_deduplicated',
                           'int_multiple_enrolments', 'fct_enrolment',
                           'int_scorecard__record_checks'] -%}
    {%- set row_by_row = ['not_null', 'accepted_values', 'within_bounds',
                          'no_clear_identifiers'] -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set combination = (test.get('kwargs') or {}).get('combination_of_columns') or [] -%}
    {%- set per_census = test.get('name') == 'unique_combination_of_columns'
                         and 'academic_year' in combination and 'term' in combination -%}
    {#- a warning's count is published (quality_gates): it must count every census -#}
    {%- if var('test_every_census', false)
           or (config.get('severity') or 'error') | lower != 'error'
           or relation.identifier not in partitioned
           or not (test.get('name') in row_by_row or per_census) -%}
        {{- return(none) -}}
    {%- endif -%}
    {#- from the graph: ref() would make every gate depend on int_changed_censuses -#}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_changed_censuses'] -%}
    {%- set changes = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- if changes is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set changed = run_query("select academic_year, term from " ~ changes
                                ~ " where is_changed order by 1, 2") -%}
    {%- set censuses = [] -%}
    {%- for row in changed.rows -%}
        {%- do censuses.append('(' ~ (row[0] | int) ~ ', ' ~ (row[1] | int) ~ ')') -%}
    {%- endfor -%}
    {{- return('(academic_year is null or term is null'
               ~ (' or (academic_year, term) in (' ~ censuses | join(', ') ~ ')' if censuses else '')
               ~ ')') -}}
{%- endmacro %}
