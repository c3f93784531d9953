with

source as (
    select {{ c360.raw_columns('crm', 'contacts') }}
    from {{ source('crm', 'contacts') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.contact_id') }} as contact_id,
        {{ c360.clean_id('source.account_id') }} as account_id,
        {{ c360.clean_name('source.first_name') }} as first_name,
        {{ c360.clean_name('source.last_name') }} as last_name,
        {{ c360.clean_email('source.email') }} as email,
        {{ c360.is_valid_email('source.email') }} as is_valid_email,
        {{ c360.clean_phone('source.phone') }} as phone,
        {{ c360.clean_text('source.street') }} as street,
        {{ c360.normalise_street('source.street') }} as street_normalised,
        {{ c360.clean_text('source.city') }} as city,
        {{ c360.clean_postal_code('source.postal_code') }} as postal_code,
        {{ c360.country_code('source.country') }} as country_code,
        {{ c360.try_cast_date('source.birth_date') }} as birth_date,
        {{ c360.clean_text('source.job_title') }} as job_title,
        {{ c360.clean_handle('source.social_handle') }} as social_handle,
        {{ c360.try_cast_timestamp_utc('source.created_at') }} as created_at,
        {{ c360.try_cast_timestamp_utc('source.updated_at') }} as updated_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.contact_id'),
            c360.rule_text_values('crm', 'contacts'),
            c360.rule_unparseable_timestamp(['created_at', 'updated_at', '_loaded_at']),
            c360.rule_unparseable_date(['birth_date']),
            c360.rule_implausible_date(['created_at', 'updated_at', '_loaded_at'], ['birth_date']),
            c360.rule_future_timestamp(['created_at', 'updated_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='contact_id') }}
)

select * from final
where {{ c360.not_erased('crm.contacts') }}
