with

source as (
    select {{ c360.raw_columns('crm', 'leads') }}
    from {{ source('crm', 'leads') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.lead_id') }} as lead_id,
        {{ c360.clean_name('source.first_name') }} as first_name,
        {{ c360.clean_name('source.last_name') }} as last_name,
        {{ c360.clean_email('source.email') }} as email,
        {{ c360.is_valid_email('source.email') }} as is_valid_email,
        {{ c360.clean_phone('source.phone') }} as phone,
        {{ c360.clean_text('source.company') }} as company,
        {{ c360.clean_code('source.lead_source') }} as lead_source,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source.created_at') }} as created_at,
        {{ c360.try_cast_timestamp_utc('source.converted_at') }} as converted_at,
        {{ c360.clean_id('source.converted_contact_id') }} as converted_contact_id,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.lead_id'),
            c360.rule_text_values('crm', 'leads'),
            c360.rule_unparseable_timestamp(['created_at', 'converted_at', '_loaded_at']),
            c360.rule_implausible_date(['created_at', 'converted_at', '_loaded_at']),
            c360.rule_future_timestamp(['created_at', 'converted_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='lead_id') }}
)

select * from final
where {{ c360.not_erased('crm.leads') }}
