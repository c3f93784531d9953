with

source as (
    select {{ c360.raw_columns('crm', 'accounts') }}
    from {{ source('crm', 'accounts') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.account_id') }} as account_id,
        {{ c360.clean_text('source.account_name') }} as account_name,
        {{ c360.clean_code('source.account_type') }} as account_type,
        {{ c360.clean_code('source.segment') }} as segment,
        {{ c360.clean_code('source.industry') }} as industry,
        {{ c360.country_code('source.country') }} as country_code,
        {{ c360.try_cast_timestamp_utc('source.created_at') }} as created_at,
        {{ c360.try_cast_timestamp_utc('source.updated_at') }} as updated_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.account_id'),
            c360.rule_text_values('crm', 'accounts'),
            c360.rule_unparseable_timestamp(['created_at', 'updated_at', '_loaded_at']),
            c360.rule_implausible_date(['created_at', 'updated_at', '_loaded_at']),
            c360.rule_future_timestamp(['created_at', 'updated_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='account_id') }}
)

select * from final
where {{ c360.not_erased('crm.accounts') }}
