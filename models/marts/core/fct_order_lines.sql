{{ config(enabled=c360.source_enabled('commerce')) }}
{#- One row per order line of the orders in fct_orders, with its product. -#}

with

order_lines as (
    select * from {{ ref('stg_commerce__order_lines') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

products as (
    select * from {{ ref('stg_commerce__products') }}
),

final as (
    select
        order_lines.order_line_id,
        order_lines.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.status as order_status,
        order_lines.product_id,
        products.product_name,
        products.category,
        products.subcategory,
        cast(order_lines.quantity as {{ dbt.type_int() }}) as quantity,
        cast(order_lines.unit_price as decimal(18, 2)) as unit_price,
        cast(order_lines.discount_amount as decimal(18, 2)) as discount_amount,
        cast(order_lines.line_amount as decimal(18, 2)) as line_amount
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.product_id = products.product_id
)

select * from final
