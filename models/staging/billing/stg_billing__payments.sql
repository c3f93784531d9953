with

base as (
    select * from {{ ref('base_billing__payments') }}
    where dq_rule is null
),

final as (
    select
        payment_id,
        invoice_id,
        billing_customer_id,
        attempted_at,
        amount,
        currency,
        method,
        status,
        failure_reason,
        refunded_at,
        loaded_at
    from base
)

select * from final
