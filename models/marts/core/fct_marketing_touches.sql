{{ config(enabled=c360.source_enabled('marketing')) }}
{#- One row per marketing touch (send, open, click, unsubscribe, bounce)
    that happened by the as-of date, with its campaign and customer. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

touches as (
    select * from {{ ref('stg_marketing__touches') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'marketing' and table_name = 'touches'
),

known as (
    select * from touches
    where occurred_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        known.touch_id,
        identity_map.customer_id,
        known.campaign_id,
        campaigns.campaign_name,
        campaigns.channel as campaign_channel,
        {{ c360.touchpoint_channel('marketing.touches', "coalesce(campaigns.channel, 'email')") }} as channel,
        campaigns.objective as campaign_objective,
        known.event_type,
        case when known.event_type in ('send', 'bounce') then 'outbound' else 'inbound' end as direction,
        known.occurred_at,
        cast({{ dbt.date_trunc('day', 'known.occurred_at') }} as date) as occurred_date
    from known
    inner join identity_map
        on known.touch_id = identity_map.record_id
    left join campaigns
        on known.campaign_id = campaigns.campaign_id
)

select * from final
