{{ config(enabled=c360.source_enabled('support')) }}
{#- One row per support ticket opened by the as-of date, as it stood then. -#}
{%- set as_of_at = c360.as_of_at() -%}
{%- set double = c360.type_double() -%}

with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'support' and table_name = 'tickets'
),

known as (
    select
        ticket_id,
        channel as ticket_channel,
        priority,
        category,
        coalesce(is_escalated, false) as is_escalated,
        opened_at,
        case when first_response_at < {{ as_of_at }} then first_response_at end as first_response_at,
        case when resolved_at < {{ as_of_at }} then resolved_at end as resolved_at,
        status
    from tickets
    where opened_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        known.ticket_id,
        identity_map.customer_id,
        known.ticket_channel,
        {{ c360.touchpoint_channel('support.tickets', 'known.ticket_channel') }} as channel,
        known.priority,
        known.category,
        case
            when known.resolved_at is not null then 'solved'
            when known.status in ('solved', 'closed') then 'open'
            else known.status
        end as status,
        known.resolved_at is null as is_open,
        known.is_escalated,
        known.opened_at,
        known.first_response_at,
        known.resolved_at,
        cast({{ dbt.datediff('known.opened_at', 'known.first_response_at', 'second') }} as {{ double }}) / 3600.0
            as hours_to_first_response,
        cast({{ dbt.datediff('known.opened_at', 'known.resolved_at', 'second') }} as {{ double }}) / 3600.0
            as hours_to_resolve
    from known
    inner join identity_map
        on known.ticket_id = identity_map.record_id
)

select * from final
