{#- Error gates on the census-partitioned learner models read only the censuses whose rows
    no complete gate run has passed yet, when the gate judges each row alone (not_null,
    accepted_values, within_bounds, no_clear_identifiers, relationships) or the rows of one
    census together (unique_combination_of_columns over academic_year, term and more).
    A census's rows are stamped by the build that last recomputed them (built_by in
    int_changed_censuses). record_verified_censuses keeps the stamps a gate run passed on:
    only a run of every data test with none failing, errored or skipped, wherever the tests
    run (in `dbt build`, or in a `dbt test` after the models, as Cosmos runs them). A census
    whose gate failed keeps its unverified stamp, so the next run tests it again whether it
    changed or not; a full build stamps every census anew, so it tests every row.
    `--vars '{test_every_census: true}'` tests every row whatever was verified (a `dbt test`
    by hand). The gates on the census columns themselves (not_null academic_year, term)
    read every row: a row without a census belongs to no census's scope. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where', '') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set censuses = unverified_censuses_of_test(relation) if execute else none -%}
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
{% macro unverified_censuses_of_test(relation) -%}
    {#- int_learner_records is a view over staging, whose rows change only with their
        census's batches (other batches change every census), as the models' rows do -#}
    {%- set partitioned = ['int_learner_records', 'int_learner_records_latest',
                           'int_enrolment_census', 'int_enrolment_deduplicated',
                           'int_multiple_enrolments', 'fct_enrolment',
                           'int_scorecard__record_checks', 'int_scorecard__uniqueness_items',
                           'int_teachers'] -%}
    {#- dim_unit, dim_area and dim_level, which relationships read, change with a batch of
        units (every census changes) or with seeds (a full build) -#}
    {%- set row_by_row = ['not_null', 'accepted_values', 'within_bounds',
                          'no_clear_identifiers', 'relationships'] -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set arguments = test.get('kwargs') or {} -%}
    {%- set combination = arguments.get('combination_of_columns') or [] -%}
    {%- set per_census = test.get('name') == 'unique_combination_of_columns'
                         and 'academic_year' in combination and 'term' in combination -%}
    {#- a warning's count is published (quality_gates): it must count every census -#}
    {%- if var('test_every_census', false)
           or (config.get('severity') or 'error') | lower != 'error'
           or relation.identifier not in partitioned
           or arguments.get('column_name') in ('academic_year', 'term')
           or not (test.get('name') in row_by_row or per_census) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set changes = census_stamps_relation() -%}
    {%- set verified = adapter.get_relation(target.database, target.schema, 'verified_censuses') -%}
    {%- if changes is none or verified is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set unverified = run_query(
        "select academic_year, term from " ~ changes ~ " as census where not exists ("
        ~ " select from " ~ verified ~ " as verified"
        ~ " where (verified.academic_year, verified.term) = (census.academic_year, census.term)"
        ~ " and verified.built_by is not distinct from census.built_by) order by 1, 2") -%}
    {%- set censuses = [] -%}
    {%- for row in unverified.rows -%}
        {%- do censuses.append('(' ~ (row[0] | int) ~ ', ' ~ (row[1] | int) ~ ')') -%}
    {%- endfor -%}
    {#- a bare list of censuses: an index on (academic_year, term) then reads only them -#}
    {{- return('(academic_year, term) in (' ~ censuses | join(', ') ~ ')' if censuses
               else 'false') -}}
{%- endmacro %}

{#- int_changed_censuses, from the graph: ref() would make every gate depend on it. -#}
{% macro census_stamps_relation() -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_changed_censuses'] -%}
    {{- return(adapter.get_relation(node.database, node.schema, node.alias)) -}}
{%- endmacro %}

{#- on-run-end: once every data test of the project ran in this invocation and none failed,
    errored or was skipped, the census stamps the tests saw are verified. -#}
{% macro record_verified_censuses(results) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set outcomes = {} -%}
    {%- for result in results if result.node.resource_type == 'test' -%}
        {%- do outcomes.update({result.node.unique_id: result.status}) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' -%}
        {%- if outcomes.get(node.unique_id) not in ('pass', 'warn') -%}
            {{ return('') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set changes = census_stamps_relation() -%}
    {%- if changes is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set table = target.schema ~ '.verified_censuses' -%}
    create table if not exists {{ table }} (
        academic_year integer not null,
        term integer not null,
        built_by text,
        verified_by text not null,
        verified_at timestamptz not null default now()
    );
    delete from {{ table }};
    insert into {{ table }} (academic_year, term, built_by, verified_by)
    select academic_year, term, built_by, '{{ invocation_id }}' from {{ changes }};
{% endmacro %}
