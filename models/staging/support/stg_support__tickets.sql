{{ config(**c360.incremental_event_config('ticket_id')) }}

with

base as (
    select * from {{ ref('base_support__tickets') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_support__tickets'), 'ticket_id') }}
),

final as (
    select
        ticket_id,
        requester_email,
        is_valid_requester_email,
        requester_phone,
        requester_name,
        channel,
        store_id,
        priority,
        status,
        category,
        subject,
        is_escalated,
        opened_at,
        first_response_at,
        resolved_at,
        loaded_at
    from base
)

select * from final
