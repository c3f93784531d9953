{{ config(**c360.incremental_event_config('payment_id')) }}

with

base as (
    select * from {{ ref('base_billing__payments') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_billing__payments'), 'payment_id') }}
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
