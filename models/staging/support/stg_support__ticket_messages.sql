{{ config(**c360.incremental_event_config('message_id')) }}

with

base as (
    select * from {{ ref('base_support__ticket_messages') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_support__ticket_messages'), 'message_id') }}
),

final as (
    select
        message_id,
        ticket_id,
        author_type,
        body,
        sent_at,
        loaded_at
    from base
)

select * from final
