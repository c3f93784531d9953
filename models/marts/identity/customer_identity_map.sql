with

records as (
    select * from {{ ref('int_identity__records') }}
),

clusters as (
    select * from {{ ref('int_identity__clusters') }}
),

customers as (
    select * from {{ ref('int_identity__customers') }}
),

final as (
    select
        cast(records.source_name as {{ dbt.type_string() }}) as source_name,
        cast(records.table_name as {{ dbt.type_string() }}) as table_name,
        cast(records.record_id as {{ dbt.type_string() }}) as record_id,
        cast(records.record_key as {{ dbt.type_string() }}) as record_key,
        cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(
            case
                when customers.customer_id is null then 'anonymous'
                when clusters.cluster_record_count = 1 then 'singleton'
                when records.record_key = customers.anchor_record_key then 'anchor'
                else clusters.strongest_match_rule
            end as {{ dbt.type_string() }}
        ) as match_rule
    from records
    inner join clusters
        on records.record_key = clusters.record_key
    left join customers
        on clusters.cluster_id = customers.cluster_id
)

select * from final
