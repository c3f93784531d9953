{{ config(enabled=c360.source_enabled('commerce')) }}
{#- One row per order known as of the build's as-of date, with its customer. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

order_lines as (
    select * from {{ ref('stg_commerce__order_lines') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'commerce' and table_name = 'orders'
),

known_orders as (
    select * from orders
    where ordered_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_quantity
    from order_lines
    group by order_id
),

joined as (
    select
        known_orders.order_id,
        identity_map.customer_id,
        known_orders.ordered_at,
        known_orders.ordered_date,
        known_orders.channel as sales_channel,
        {{ c360.touchpoint_channel('commerce.orders', 'known_orders.channel') }} as channel,
        known_orders.store_id,
        known_orders.partner_name,
        known_orders.currency,
        known_orders.order_total,
        known_orders.status,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.item_quantity, 0) as item_quantity
    from known_orders
    inner join identity_map
        on known_orders.order_id = identity_map.record_id
    left join line_totals
        on known_orders.order_id = line_totals.order_id
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        ordered_date,
        sales_channel,
        channel,
        store_id,
        partner_name,
        currency,
        cast(order_total as decimal(18, 2)) as order_total,
        status,
        status = 'completed' as is_completed,
        cast(line_count as {{ dbt.type_int() }}) as line_count,
        cast(item_quantity as {{ dbt.type_int() }}) as item_quantity,
        cast(row_number() over (partition by customer_id order by ordered_at, order_id) as {{ dbt.type_int() }})
            as customer_order_number
    from joined
)

select * from final
