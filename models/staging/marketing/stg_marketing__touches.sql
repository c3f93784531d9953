with

base as (
    select * from {{ ref('base_marketing__touches') }}
    where dq_rule is null
),

final as (
    select
        touch_id,
        campaign_id,
        recipient_email,
        is_valid_recipient_email,
        recipient_phone,
        event_type,
        occurred_at,
        link_url,
        loaded_at
    from base
)

select * from final
