with

source as (
    select {{ c360.raw_columns('usage', 'events') }}
    from {{ source('usage', 'events') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.event_id') }} as event_id,
        {{ c360.clean_id('source.session_id') }} as session_id,
        {{ c360.clean_id('source.device_id') }} as device_id,
        {{ c360.clean_id('source.user_id') }} as user_id,
        {{ c360.clean_code('source.platform') }} as platform,
        {{ c360.clean_code('source.event_type') }} as event_type,
        {{ c360.clean_text('source.event_name') }} as event_name,
        {{ c360.try_cast_timestamp_utc('source.occurred_at') }} as occurred_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.event_id'),
            c360.rule_text_values('usage', 'events'),
            c360.rule_unparseable_timestamp(['occurred_at', '_loaded_at']),
            c360.rule_implausible_date(['occurred_at', '_loaded_at']),
            c360.rule_future_timestamp(['occurred_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='event_id') }}
)

select * from final
where {{ c360.not_erased('usage.events') }}
