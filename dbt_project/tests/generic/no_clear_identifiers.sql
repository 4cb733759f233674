{#- Fails on every value that is, or contains, a personal identifier in clear: the whole
    value (normalized as normalize_person_id does) is a valid citizen ID or a G-code, or
    the text holds a 13-digit run with a valid check digit or a G + 12 digits code that
    is not part of a longer word (Thai digits read as ASCII). A 64-character hex
    pseudonym never matches, and is skipped first. any_13_digits=true also fails on
    13-digit runs whose check digit is wrong (mistyped IDs are personal data too). The
    failing values themselves are not returned (they would land in logs or stored
    failures): one row per kind of finding (a value counted once, under its first
    finding), with the number of distinct values; the failure count is their sum. -#}
{% test no_clear_identifiers(model, column_name, any_13_digits=false) %}

{{ config(fail_calc='coalesce(sum(failing_values), 0)') }}

with values_as_text as (

    select distinct {{ thai_digits_to_ascii(column_name) }} as value
    from {{ model }}
    where {{ column_name }} is not null
        -- a pseudonym cannot match any finding below (no separator to strip, no run
        -- standing apart from letters); skipping it first spares the costly checks
        -- (written so: an anchored `{64}` regex costs ten times as much per row)
        and (
            length(cast({{ column_name }} as text)) <> 64
            or cast({{ column_name }} as text) ~ '[^0-9a-f]'
        )

),

whole_values as (

    select
        value,
        {{ person_id_class(normalize_person_id('value')) }} as id_class
    from values_as_text

),

digit_runs as (

    select
        values_as_text.value,
        {{ person_id_class('run.matched[1]') }} as id_class
    from values_as_text
    cross join lateral regexp_matches(
        values_as_text.value, '(?<![0-9A-Za-z])([0-9]{13})(?![0-9A-Za-z])', 'g'
    ) as run (matched)

),

found as (

    select value, 'whole value: ' || id_class as finding
    from whole_values
    where id_class in ('citizen_valid', 'gcode')

    union all

    select value, '13-digit run: ' || id_class as finding
    from digit_runs
    where id_class = 'citizen_valid'{{ " or id_class = 'citizen_invalid'" if any_13_digits }}

    union all

    select value, 'G-code inside the text' as finding
    from values_as_text
    where value ~ '(?<![0-9A-Za-z])G[0-9]{12}(?![0-9A-Za-z])'

),

first_findings as (

    select value, min(finding) as finding
    from found
    group by value

)

select
    finding,
    count(*) as failing_values
from first_findings
group by finding

{% endtest %}
