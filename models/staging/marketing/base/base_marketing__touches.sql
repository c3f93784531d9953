with

source as (
    select {{ c360.raw_columns('marketing', 'touches') }}
    from {{ source('marketing', 'touches') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.touch_id') }} as touch_id,
        {{ c360.clean_id('source.campaign_id') }} as campaign_id,
        {{ c360.clean_email('source.recipient_email') }} as recipient_email,
        {{ c360.is_valid_email('source.recipient_email') }} as is_valid_recipient_email,
        {{ c360.clean_phone('source.recipient_phone') }} as recipient_phone,
        {{ c360.clean_code('source.event_type') }} as event_type,
        {{ c360.try_cast_timestamp_utc('source.occurred_at') }} as occurred_at,
        {{ c360.clean_text('source.link_url') }} as link_url,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.touch_id'),
            c360.rule_text_values('marketing', 'touches'),
            c360.rule_unparseable_timestamp(['occurred_at', '_loaded_at']),
            c360.rule_implausible_date(['occurred_at', '_loaded_at']),
            c360.rule_future_timestamp(['occurred_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='touch_id') }}
)

select * from final
where {{ c360.not_erased('marketing.touches') }}
