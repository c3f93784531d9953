with

source as (
    select {{ c360.raw_columns('feedback', 'claims') }}
    from {{ source('feedback', 'claims') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.claim_id') }} as claim_id,
        {{ c360.clean_code('source.claim_type') }} as claim_type,
        {{ c360.clean_name('source.claimant_first_name') }} as claimant_first_name,
        {{ c360.clean_name('source.claimant_last_name') }} as claimant_last_name,
        {{ c360.clean_phone('source.claimant_phone') }} as claimant_phone,
        {{ c360.try_cast_date('source.claimant_birth_date') }} as claimant_birth_date,
        {{ c360.clean_text('source.claimant_street') }} as claimant_street,
        {{ c360.normalise_street('source.claimant_street') }} as claimant_street_normalised,
        {{ c360.clean_text('source.claimant_city') }} as claimant_city,
        {{ c360.clean_postal_code('source.claimant_postal_code') }} as claimant_postal_code,
        {{ c360.country_code('source.claimant_country') }} as claimant_country_code,
        {{ c360.clean_id('source.product_id') }} as product_id,
        {{ c360.clean_id('source.order_id') }} as order_id,
        {{ c360.clean_text('source.description') }} as description,
        {{ c360.try_cast_decimal('source.amount_claimed') }} as amount_claimed,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source.filed_at') }} as filed_at,
        {{ c360.try_cast_timestamp_utc('source.decided_at') }} as decided_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.claim_id'),
            c360.rule_text_values('feedback', 'claims'),
            c360.rule_unparseable_timestamp(['filed_at', 'decided_at', '_loaded_at']),
            c360.rule_unparseable_date(['claimant_birth_date']),
            c360.rule_implausible_date(['filed_at', 'decided_at', '_loaded_at'], ['claimant_birth_date']),
            c360.rule_future_timestamp(['filed_at', 'decided_at']),
            c360.rule_non_numeric_amount(['amount_claimed']),
            c360.rule_negative_amount(['amount_claimed']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='claim_id') }}
)

select * from final
where {{ c360.not_erased('feedback.claims') }}
