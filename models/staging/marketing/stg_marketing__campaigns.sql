with

base as (
    select * from {{ ref('base_marketing__campaigns') }}
    where dq_rule is null
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        objective,
        product_category,
        launched_at,
        loaded_at
    from base
)

select * from final
