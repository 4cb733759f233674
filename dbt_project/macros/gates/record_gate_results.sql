{#- on-run-end: keep the outcome of every test of this invocation in audit.gate_results, so
    that the publish step (and the scorecard) read which gates passed, warned or failed
    without access to dbt's target folder (Cosmos runs dbt in a temporary copy). -#}
{% macro record_gate_results(results) %}
    {%- set gates = [] -%}
    {%- for result in results if result.node.resource_type in ('test', 'unit_test') -%}
        {%- do gates.append(result) -%}
    {%- endfor -%}
    {%- if not execute or gates | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set table = target.schema ~ '.gate_results' -%}
    create table if not exists {{ table }} (
        invocation_id text not null,
        recorded_at timestamptz not null default now(),
        unique_id text not null,
        resource_type text not null,
        severity text,
        status text not null,
        failures bigint,
        message text
    );
    insert into {{ table }}
        (invocation_id, unique_id, resource_type, severity, status, failures, message)
    values
    {%- for result in gates %}
        ('{{ invocation_id }}', '{{ result.node.unique_id }}', '{{ result.node.resource_type }}',
         {{ "'" ~ result.node.config.severity | lower ~ "'" if result.node.config.severity else 'null' }},
         '{{ result.status }}',
         {{ result.failures if result.failures is not none else 'null' }},
         {{ "'" ~ (result.message | string | replace("'", "''"))[:500] ~ "'" if result.message else 'null' }}){{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}
