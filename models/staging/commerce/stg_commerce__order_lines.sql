{{ config(**c360.incremental_event_config('order_line_id')) }}

with

base as (
    select * from {{ ref('base_commerce__order_lines') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_commerce__order_lines'), 'order_line_id') }}
),

final as (
    select
        order_line_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        cast(quantity * unit_price - coalesce(discount_amount, 0) as decimal(18, 2)) as line_amount,
        loaded_at
    from base
)

select * from final
