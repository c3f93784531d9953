with

base as (
    select * from {{ ref('base_commerce__products') }}
    where dq_rule is null
),

final as (
    select
        product_id,
        sku,
        product_name,
        category,
        subcategory,
        brand,
        list_price,
        is_subscription,
        launched_at,
        loaded_at
    from base
)

select * from final
