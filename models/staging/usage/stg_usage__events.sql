{{ config(**c360.incremental_event_config('event_id')) }}

with

base as (
    select * from {{ ref('base_usage__events') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_usage__events'), 'event_id') }}
),

final as (
    select
        event_id,
        session_id,
        device_id,
        user_id,
        platform,
        event_type,
        event_name,
        occurred_at,
        loaded_at
    from base
)

select * from final
