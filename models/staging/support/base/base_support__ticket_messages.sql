with

source as (
    select {{ c360.raw_columns('support', 'ticket_messages') }}
    from {{ source('support', 'ticket_messages') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.message_id') }} as message_id,
        {{ c360.clean_id('source.ticket_id') }} as ticket_id,
        {{ c360.clean_code('source.author_type') }} as author_type,
        {{ c360.clean_text('source.body') }} as body,
        {{ c360.try_cast_timestamp_utc('source.sent_at') }} as sent_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.message_id'),
            c360.rule_text_values('support', 'ticket_messages'),
            c360.rule_unparseable_timestamp(['sent_at', '_loaded_at']),
            c360.rule_implausible_date(['sent_at', '_loaded_at']),
            c360.rule_future_timestamp(['sent_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='message_id') }}
)

select * from final
where {{ c360.not_erased('support.ticket_messages') }}
