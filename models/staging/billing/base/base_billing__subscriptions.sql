with

source as (
    select {{ c360.raw_columns('billing', 'subscriptions') }}
    from {{ source('billing', 'subscriptions') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.subscription_id') }} as subscription_id,
        {{ c360.clean_id('source.billing_customer_id') }} as billing_customer_id,
        {{ c360.clean_email('source.customer_email') }} as customer_email,
        {{ c360.is_valid_email('source.customer_email') }} as is_valid_customer_email,
        {{ c360.clean_name('source.customer_name') }} as customer_name,
        {{ c360.clean_id('source.product_id') }} as product_id,
        {{ c360.clean_code('source.plan_code') }} as plan_code,
        {{ c360.clean_code('source.billing_period') }} as billing_period,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source.started_at') }} as started_at,
        {{ c360.try_cast_timestamp_utc('source.cancelled_at') }} as cancelled_at,
        {{ c360.try_cast_decimal('source.mrr') }} as mrr,
        nullif(upper(trim(source.currency)), '') as currency,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.subscription_id'),
            c360.rule_text_values('billing', 'subscriptions'),
            c360.rule_unparseable_timestamp(['started_at', 'cancelled_at', '_loaded_at']),
            c360.rule_implausible_date(['started_at', 'cancelled_at', '_loaded_at']),
            c360.rule_future_timestamp(['started_at', 'cancelled_at']),
            c360.rule_non_numeric_amount(['mrr']),
            c360.rule_negative_amount(['mrr']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='subscription_id') }}
)

select * from final
where {{ c360.not_erased('billing.subscriptions') }}
