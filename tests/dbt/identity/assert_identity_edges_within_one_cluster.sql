{#-
    No kept edge joins two different clusters: both records of every edge of
    int_identity__edges are in the same cluster, unless an over-merge guard
    dropped the edge (int_identity__cluster_audit). Fails on unconverged
    connected components or records missing from the clusters.
-#}
with

edges as (
    select * from {{ ref('int_identity__edges') }}
),

guard_decisions as (
    select * from {{ ref('int_identity__cluster_audit') }}
),

clusters as (
    select * from {{ ref('int_identity__clusters') }}
),

dropped_edges as (
    select distinct
        record_key_a,
        record_key_b,
        match_rule
    from guard_decisions
    where is_edge_dropped
),

kept_edges as (
    select edges.*
    from edges
    left join dropped_edges
        on
            edges.record_key_a = dropped_edges.record_key_a
            and edges.record_key_b = dropped_edges.record_key_b
            and edges.match_rule = dropped_edges.match_rule
    where dropped_edges.record_key_a is null
),

final as (
    select
        kept_edges.record_key_a,
        kept_edges.record_key_b,
        kept_edges.match_rule,
        clusters_a.cluster_id as cluster_id_a,
        clusters_b.cluster_id as cluster_id_b
    from kept_edges
    left join clusters as clusters_a
        on kept_edges.record_key_a = clusters_a.record_key
    left join clusters as clusters_b
        on kept_edges.record_key_b = clusters_b.record_key
    where
        clusters_a.cluster_id is null
        or clusters_b.cluster_id is null
        or clusters_a.cluster_id <> clusters_b.cluster_id
)

select * from final
