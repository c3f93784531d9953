with

source as (
    select {{ c360.raw_columns('people', 'records') }}
    from {{ source('people', 'records') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.record_id') }} as record_id,
        {{ c360.clean_text('source.source_system') }} as source_system,
        coalesce(
            {{ c360.clean_name('source.first_name') }},
            case
                when {{ c360.clean_name('source.last_name') }} is null
                    then {{ c360.identity_split_full_name('source.full_name', 'first') }}
            end
        ) as first_name,
        coalesce(
            {{ c360.clean_name('source.last_name') }},
            case
                when {{ c360.clean_name('source.first_name') }} is null
                    then {{ c360.identity_split_full_name('source.full_name', 'last') }}
            end
        ) as last_name,
        {{ c360.clean_email('source.email') }} as email,
        {{ c360.is_valid_email('source.email') }} as is_valid_email,
        {{ c360.clean_phone('source.phone') }} as phone,
        {{ c360.try_cast_date('source.birth_date') }} as birth_date,
        case
            when nullif(trim(source.birth_date), '') is not null
                then {{ c360.try_cast_date('source.birth_date') }} is not null
        end as is_valid_birth_date,
        {{ c360.clean_text('source.street') }} as street,
        {{ c360.normalise_street('source.street') }} as street_normalised,
        {{ c360.clean_postal_code('source.postal_code') }} as postal_code,
        {{ c360.clean_text('source.city') }} as city,
        {{ c360.country_code('source.country') }} as country_code,
        {{ c360.clean_id('source.customer_number') }} as customer_number,
        {{ c360.try_cast_timestamp_utc('source.recorded_at') }} as recorded_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.record_id'),
            c360.rule_text_values('people', 'records'),
            c360.rule_unparseable_timestamp(['recorded_at', '_loaded_at']),
            c360.rule_implausible_date(['recorded_at', '_loaded_at']),
            c360.rule_future_timestamp(['recorded_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='record_id') }}
)

select * from final
where {{ c360.not_erased('people.records') }}
