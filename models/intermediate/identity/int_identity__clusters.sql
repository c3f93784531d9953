{{
    config(
        materialized='table',
        post_hook="{{ c360.cc_drop_work_relations(this) }}",
    )
}}

{#-
    Clusters are the connected components of every edge the guards did not
    drop (int_identity__cluster_audit). When int_identity__cluster_audit ran
    in the same dbt invocation, its guarded merge already holds them (see
    identity_guarded_merge) and they are read from there. Otherwise they
    are computed before this model's select by c360.connected_components:
    iterated work tables during `dbt run`/`build`, CTEs otherwise (compile,
    docs, unit tests).
-#}
{%- set plan = c360.cc_plan('clusters') -%}
{%- set merged = c360.cc_kept_components(plan, ref('int_identity__cluster_audit')) -%}
{%- set accepted_links_sql -%}
select
    edges.record_key_a as node_key_a,
    edges.record_key_b as node_key_b
from {{ ref('int_identity__edges') }} as edges
left join {{ ref('int_identity__cluster_audit') }} as dropped
    on
        edges.record_key_a = dropped.record_key_a
        and edges.record_key_b = dropped.record_key_b
        and edges.match_rule = dropped.match_rule
        and dropped.is_edge_dropped
where dropped.record_key_a is null
{%- endset -%}
{%- if merged is none -%}
    {%- set components = c360.cc_result(plan, c360.connected_components(
        plan,
        'components',
        edges_sql=accepted_links_sql,
        nodes_sql='select record_key as node_key from ' ~ ref('int_identity__records'),
    )) -%}
{%- else -%}
    {%- set merged_components_sql -%}
select
    records.record_key as node_key,
    coalesce(merged.component_key, records.record_key) as component_key
from {{ ref('int_identity__records') }} as records
left join {{ merged }} as merged
    on records.record_key = merged.record_key
    {%- endset -%}
    {%- set components = c360.cc_stage(plan, 'components', merged_components_sql) -%}
    {%- do c360.cc_release(plan, merged) -%}
    {%- do log(this.identifier ~ ': components of the guarded merge reused from ' ~ merged.identifier, info=true) -%}
    {%- set components = c360.cc_result(plan, components) -%}
{%- endif -%}

with

{{ c360.cc_ctes(plan) }}

records as (
    select * from {{ ref('int_identity__records') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

guard_decisions as (
    select * from {{ ref('int_identity__cluster_audit') }}
),

components as (
    select * from {{ components }}
),

dropped_edges as (
    select distinct
        record_key_a,
        record_key_b,
        match_rule
    from guard_decisions
    where is_edge_dropped
),

accepted_edges as (
    select edges.*
    from edges
    left join dropped_edges
        on
            edges.record_key_a = dropped_edges.record_key_a
            and edges.record_key_b = dropped_edges.record_key_b
            and edges.match_rule = dropped_edges.match_rule
    where dropped_edges.record_key_a is null
),

edge_ends as (
    select
        record_key_a as record_key,
        record_key_b as linked_record_key,
        match_rule,
        rule_rank,
        is_deterministic
    from accepted_edges
    union all
    select
        record_key_b as record_key,
        record_key_a as linked_record_key,
        match_rule,
        rule_rank,
        is_deterministic
    from accepted_edges
),

strongest_links as (
    select
        record_key,
        linked_record_key,
        match_rule,
        rule_rank,
        row_number() over (
            partition by record_key
            order by
                case when is_deterministic then 0 else 1 end,
                rule_rank,
                match_rule,
                linked_record_key
        ) as link_order
    from edge_ends
),

cluster_sizes as (
    select
        component_key as cluster_id,
        count(*) as cluster_record_count
    from components
    group by component_key
),

final as (
    select
        records.record_key,
        components.component_key as cluster_id,
        cluster_sizes.cluster_record_count,
        strongest_links.match_rule as strongest_match_rule,
        strongest_links.rule_rank as strongest_rule_rank,
        strongest_links.linked_record_key as strongest_linked_record_key
    from records
    inner join components
        on records.record_key = components.node_key
    inner join cluster_sizes
        on components.component_key = cluster_sizes.cluster_id
    left join strongest_links
        on
            records.record_key = strongest_links.record_key
            and strongest_links.link_order = 1
)

select * from final
