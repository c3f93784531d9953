{{ config(materialized='table') }}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

clusters as (
    select * from {{ ref('int_identity__clusters') }}
),

cluster_records as (
    select
        clusters.cluster_id,
        records.record_key,
        records.source_name,
        records.record_at,
        records.is_anonymous,
        row_number() over (
            partition by clusters.cluster_id
            order by
                case when records.record_at is null then 1 else 0 end,
                records.record_at,
                records.record_key
        ) as anchor_order
    from clusters
    inner join records
        on clusters.record_key = records.record_key
),

anchors as (
    select
        cluster_id,
        record_key as anchor_record_key,
        record_at as anchor_record_at
    from cluster_records
    where anchor_order = 1
),

cluster_summaries as (
    select
        cluster_id,
        count(*) as record_count,
        count(distinct source_name) as source_count,
        min(record_at) as first_record_at,
        max(record_at) as last_record_at
    from cluster_records
    group by cluster_id
    -- a cluster of anonymous records alone (a device that never logged in)
    -- is no customer
    having max(case when is_anonymous then 0 else 1 end) = 1
),

final as (
    select
        {{ dbt.hash('anchors.anchor_record_key') }} as customer_id,
        anchors.cluster_id,
        anchors.anchor_record_key,
        anchors.anchor_record_at,
        cluster_summaries.record_count,
        cluster_summaries.source_count,
        cluster_summaries.first_record_at,
        cluster_summaries.last_record_at
    from anchors
    inner join cluster_summaries
        on anchors.cluster_id = cluster_summaries.cluster_id
)

select * from final
