with

base as (
    select * from {{ ref('base_support__ticket_messages') }}
    where dq_rule is null
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
