with

source as (
    select {{ c360.raw_columns('usage', 'sessions') }}
    from {{ source('usage', 'sessions') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.session_id') }} as session_id,
        {{ c360.clean_id('source.device_id') }} as device_id,
        {{ c360.clean_id('source.user_id') }} as user_id,
        {{ c360.clean_code('source.platform') }} as platform,
        {{ c360.try_cast_timestamp_utc('source.started_at') }} as started_at,
        {{ c360.try_cast_timestamp_utc('source.ended_at') }} as ended_at,
        {{ c360.clean_text('source.landing_page') }} as landing_page,
        {{ c360.clean_code('source.utm_source') }} as utm_source,
        {{ c360.clean_code('source.utm_medium') }} as utm_medium,
        source.page_views,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.session_id'),
            c360.rule_text_values('usage', 'sessions'),
            c360.rule_unparseable_timestamp(['started_at', 'ended_at', '_loaded_at']),
            c360.rule_implausible_date(['started_at', 'ended_at', '_loaded_at']),
            c360.rule_future_timestamp(['started_at', 'ended_at']),
            c360.rule_ended_before_started(
                c360.try_cast_timestamp_utc('source.started_at'), c360.try_cast_timestamp_utc('source.ended_at')
            ),
            c360.rule_negative_count(['page_views']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='session_id') }}
)

select * from final
where {{ c360.not_erased('usage.sessions') }}
