{{
    config(
        materialized='table',
        post_hook="{{ c360.cc_drop_work_relations(this) }}",
    )
}}

{#-
    The over-merge guards, run tier by tier over the edges (see
    macros/identity/connected_components.sql). The merge runs before this
    model's select: as work tables during `dbt run`/`build`, as CTEs
    otherwise (compile, docs, unit tests). The merge's final components are
    kept for int_identity__clusters in the same invocation.
-#}
{%- set plan = c360.cc_plan('guard') -%}
{%- set guard_decisions = c360.cc_result(plan, c360.identity_guarded_merge(
    plan,
    records_sql='select record_key, birth_date from ' ~ ref('int_identity__records'),
    identifiers_sql='select record_key, identifier_type, identifier_value, is_blocked from '
        ~ ref('int_identity__identifiers'),
    edges_sql='select record_key_a, record_key_b, match_rule, rule_rank, is_deterministic from '
        ~ ref('int_identity__edges'),
    keep_components=true,
)) -%}

with

{{ c360.cc_ctes(plan) }}

guard_decisions as (
    select * from {{ guard_decisions }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'record_key_a', "'|'", 'record_key_b', "'|'", 'match_rule', "'|'", 'identifier_type'
        ])) }} as audit_id,
        cluster_key as candidate_cluster_id,
        guard,
        identifier_type,
        limit_value,
        observed_count,
        largest_component_count,
        guard_scope,
        tier,
        match_rule,
        rule_rank,
        is_deterministic,
        record_key_a,
        record_key_b,
        component_key_a,
        component_key_b,
        is_edge_dropped,
        case
            when is_edge_dropped then 'edge_dropped'
            else 'kept_strongest_rule'
        end as resolution
    from guard_decisions
)

select * from final
