{#-
    customer_identity_map holds every record of int_identity__records exactly
    once, and nothing else.
-#}
with

records as (
    select * from {{ ref('int_identity__records') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

map_counts as (
    select
        record_key,
        count(*) as map_row_count
    from identity_map
    group by record_key
),

final as (
    select
        coalesce(records.record_key, map_counts.record_key) as record_key,
        records.record_key is not null as is_in_records,
        coalesce(map_counts.map_row_count, 0) as map_row_count
    from records
    full outer join map_counts
        on records.record_key = map_counts.record_key
    where
        records.record_key is null
        or map_counts.record_key is null
        or map_counts.map_row_count <> 1
)

select * from final
