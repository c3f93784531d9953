{{ config(**c360.incremental_event_config('session_id')) }}

with

base as (
    select * from {{ ref('base_usage__sessions') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_usage__sessions'), 'session_id') }}
),

final as (
    select
        session_id,
        device_id,
        user_id,
        platform,
        started_at,
        ended_at,
        {{ dbt.datediff('started_at', 'ended_at', 'second') }} as session_duration_seconds,
        landing_page,
        utm_source,
        utm_medium,
        page_views,
        loaded_at
    from base
)

select * from final
