{{ config(**c360.incremental_event_config('touch_id')) }}

with

base as (
    select * from {{ ref('base_marketing__touches') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_marketing__touches'), 'touch_id') }}
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
