{#- enable_mergejoin off: the planner sorted every node to merge-join the few hundred
    records that name a previous ID (7 of 11 s at Rayong); hashing the nodes takes 2. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "set enable_mergejoin = off",
            "{{ delete_stale_rows(
            \"(link_scope = 'census' and \" ~ changed_censuses_filter() ~ \")
            or (link_scope = 'cohort' and \" ~ changed_cohort_years_filter() ~ \")\") }}",
        ],
        indexes=[{'columns': ['link_scope', 'academic_year', 'term']}],
        post_hook=["reset enable_mergejoin"]
    )
}}

-- indicators.md §1.5: records with a usable ID are the same person when their IDs are equal
-- or one's previous_id equals the other's ID; links are transitive (connected components,
-- by a recursive query). Components are formed within a scope: `census` = one census
-- (year, term); `cohort` = the term-1 censuses of t and t+1 together (labelled t), for the
-- true-cohort flow rates. A previous_id links only to an ID some record of the scope
-- carries. The label of a component is its smallest pseudonym.
-- Incremental: a run recomputes the census scopes of int_changed_censuses and the cohort
-- scopes that span one of them.
with recursive census as (

    select academic_year, term, person_key, previous_person_key
    from {{ ref('int_enrolment_census') }}
    where has_usable_id
        and (
            {{ changed_censuses_filter() }}
            or term = 1 and {{ changed_cohort_years_filter() }}
            or term = 1 and {{ changed_cohort_years_filter('academic_year - 1') }}
        )

),

scoped as (

    select 'census' as link_scope, academic_year, term, person_key, previous_person_key
    from census
    where {{ changed_censuses_filter() }}
    union all
    select 'cohort', academic_year, 1, person_key, previous_person_key
    from census
    where term = 1 and {{ changed_cohort_years_filter() }}
    union all
    select 'cohort', academic_year - 1, 1, person_key, previous_person_key
    from census
    where term = 1 and {{ changed_cohort_years_filter('academic_year - 1') }}

),

nodes as (

    select distinct link_scope, academic_year, term, person_key
    from scoped

),

edges as (

    select distinct scoped.link_scope, scoped.academic_year, scoped.term,
        scoped.person_key as node_a, scoped.previous_person_key as node_b
    from scoped
    inner join nodes
        on scoped.link_scope = nodes.link_scope
        and scoped.academic_year = nodes.academic_year
        and scoped.term = nodes.term
        and scoped.previous_person_key = nodes.person_key
    where scoped.previous_person_key <> scoped.person_key

),

undirected as (

    select link_scope, academic_year, term, node_a, node_b from edges
    union
    select link_scope, academic_year, term, node_b, node_a from edges

),

reach (link_scope, academic_year, term, person_key, reached) as (

    select distinct link_scope, academic_year, term, node_a, node_a
    from undirected
    union
    select reach.link_scope, reach.academic_year, reach.term, reach.person_key, undirected.node_b
    from reach
    inner join undirected
        on reach.link_scope = undirected.link_scope
        and reach.academic_year = undirected.academic_year
        and reach.term = undirected.term
        and reach.reached = undirected.node_a

),

linked as (

    select link_scope, academic_year, term, person_key,
        min(reached collate "C") as person_label
    from reach
    group by 1, 2, 3, 4

),

final as (

    select
        nodes.link_scope,
        nodes.academic_year,
        nodes.term,
        nodes.person_key,
        coalesce(linked.person_label, nodes.person_key) as person_label,
        linked.person_key is not null as is_linked
    from nodes
    left join linked
        on nodes.link_scope = linked.link_scope
        and nodes.academic_year = linked.academic_year
        and nodes.term = linked.term
        and nodes.person_key = linked.person_key

)

select * from final
