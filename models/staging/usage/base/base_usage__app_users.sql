with

source as (
    select {{ c360.raw_columns('usage', 'app_users') }}
    from {{ source('usage', 'app_users') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.user_id') }} as user_id,
        {{ c360.clean_email('source.email') }} as email,
        {{ c360.is_valid_email('source.email') }} as is_valid_email,
        {{ c360.clean_text('source.display_name') }} as display_name,
        {{ c360.clean_code('source.signup_platform') }} as signup_platform,
        {{ c360.try_cast_timestamp_utc('source.created_at') }} as created_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.user_id'),
            c360.rule_text_values('usage', 'app_users'),
            c360.rule_unparseable_timestamp(['created_at', '_loaded_at']),
            c360.rule_implausible_date(['created_at', '_loaded_at']),
            c360.rule_future_timestamp(['created_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='user_id') }}
)

select * from final
where {{ c360.not_erased('usage.app_users') }}
