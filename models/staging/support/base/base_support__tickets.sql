with

source as (
    select {{ c360.raw_columns('support', 'tickets') }}
    from {{ source('support', 'tickets') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.ticket_id') }} as ticket_id,
        {{ c360.clean_email('source.requester_email') }} as requester_email,
        {{ c360.is_valid_email('source.requester_email') }} as is_valid_requester_email,
        {{ c360.clean_phone('source.requester_phone') }} as requester_phone,
        {{ c360.clean_name('source.requester_name') }} as requester_name,
        {{ c360.clean_code('source.channel') }} as channel,
        {{ c360.clean_id('source.store_id') }} as store_id,
        {{ c360.clean_code('source.priority') }} as priority,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.clean_code('source.category') }} as category,
        {{ c360.clean_text('source.subject') }} as subject,
        cast(source.is_escalated as {{ dbt.type_boolean() }}) as is_escalated,
        {{ c360.try_cast_timestamp_utc('source.opened_at') }} as opened_at,
        {{ c360.try_cast_timestamp_utc('source.first_response_at') }} as first_response_at,
        {{ c360.try_cast_timestamp_utc('source.resolved_at') }} as resolved_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.ticket_id'),
            c360.rule_text_values('support', 'tickets'),
            c360.rule_unparseable_timestamp(['opened_at', 'first_response_at', 'resolved_at', '_loaded_at']),
            c360.rule_implausible_date(['opened_at', 'first_response_at', 'resolved_at', '_loaded_at']),
            c360.rule_future_timestamp(['opened_at', 'first_response_at', 'resolved_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='ticket_id') }}
)

select * from final
where {{ c360.not_erased('support.tickets') }}
