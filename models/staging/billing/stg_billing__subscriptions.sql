with

base as (
    select * from {{ ref('base_billing__subscriptions') }}
    where dq_rule is null
),

final as (
    select
        subscription_id,
        billing_customer_id,
        customer_email,
        is_valid_customer_email,
        customer_name,
        product_id,
        plan_code,
        billing_period,
        status,
        started_at,
        cancelled_at,
        mrr,
        currency,
        loaded_at
    from base
)

select * from final
