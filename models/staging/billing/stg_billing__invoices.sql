with

base as (
    select * from {{ ref('base_billing__invoices') }}
    where dq_rule is null
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
