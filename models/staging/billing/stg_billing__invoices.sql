{{ config(**c360.incremental_event_config('invoice_id')) }}

with

base as (
    select * from {{ ref('base_billing__invoices') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_billing__invoices'), 'invoice_id') }}
),

final as (
    select
        invoice_id,
        subscription_id,
        billing_customer_id,
        issued_at,
        due_at,
        amount,
        currency,
        status,
        loaded_at
    from base
)

select * from final
