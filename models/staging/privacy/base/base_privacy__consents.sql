with

source as (
    select {{ c360.raw_columns('privacy', 'consents') }}
    from {{ source('privacy', 'consents') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.consent_id') }} as consent_id,
        {{ c360.clean_email('source.subject_email') }} as subject_email,
        {{ c360.is_valid_email('source.subject_email') }} as is_valid_subject_email,
        {{ c360.clean_phone('source.subject_phone') }} as subject_phone,
        {{ c360.clean_code('source.purpose') }} as purpose,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.clean_code('source.source_system') }} as source_system,
        {{ c360.try_cast_timestamp_utc('source.recorded_at') }} as recorded_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.consent_id'),
            c360.rule_text_values('privacy', 'consents'),
            c360.rule_unparseable_timestamp(['recorded_at', '_loaded_at']),
            c360.rule_implausible_date(['recorded_at', '_loaded_at']),
            c360.rule_future_timestamp(['recorded_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='consent_id') }}
)

select * from final
where {{ c360.not_erased('privacy.consents') }}
