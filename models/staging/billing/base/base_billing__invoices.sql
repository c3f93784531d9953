with

source as (
    select {{ c360.raw_columns('billing', 'invoices') }}
    from {{ source('billing', 'invoices') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.invoice_id') }} as invoice_id,
        {{ c360.clean_id('source.subscription_id') }} as subscription_id,
        {{ c360.clean_id('source.billing_customer_id') }} as billing_customer_id,
        {{ c360.try_cast_timestamp_utc('source.issued_at') }} as issued_at,
        {{ c360.try_cast_timestamp_utc('source.due_at') }} as due_at,
        {{ c360.try_cast_decimal('source.amount') }} as amount,
        nullif(upper(trim(source.currency)), '') as currency,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.invoice_id'),
            c360.rule_text_values('billing', 'invoices'),
            c360.rule_unparseable_timestamp(['issued_at', 'due_at', '_loaded_at']),
            c360.rule_implausible_date(['issued_at', 'due_at', '_loaded_at']),
            c360.rule_future_timestamp(['issued_at']),
            c360.rule_non_numeric_amount(['amount']),
            c360.rule_negative_amount(['amount']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='invoice_id') }}
)

select * from final
where {{ c360.not_erased('billing.invoices') }}
