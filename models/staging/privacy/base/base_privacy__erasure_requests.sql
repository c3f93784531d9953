with

source as (
    select {{ c360.raw_columns('privacy', 'erasure_requests') }}
    from {{ source('privacy', 'erasure_requests') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.request_id') }} as request_id,
        {{ c360.clean_email('source.subject_email') }} as subject_email,
        {{ c360.is_valid_email('source.subject_email') }} as is_valid_subject_email,
        {{ c360.clean_phone('source.subject_phone') }} as subject_phone,
        {{ c360.clean_name('source.subject_name') }} as subject_name,
        {{ c360.clean_code('source.received_via') }} as received_via,
        {{ c360.try_cast_timestamp_utc('source.requested_at') }} as requested_at,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source.completed_at') }} as completed_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.request_id'),
            c360.rule_text_values('privacy', 'erasure_requests'),
            c360.rule_unparseable_timestamp(['requested_at', 'completed_at', '_loaded_at']),
            c360.rule_implausible_date(['requested_at', 'completed_at', '_loaded_at']),
            c360.rule_future_timestamp(['requested_at', 'completed_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='request_id') }}
)

select * from final
where {{ c360.not_erased('privacy.erasure_requests') }}
