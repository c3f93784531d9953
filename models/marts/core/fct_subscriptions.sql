{{ config(enabled=c360.source_enabled('billing')) }}
{#- One row per subscription started by the as-of date, as it stood then,
    with its payment attempts, failures and refunds known by then. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

payments as (
    select * from {{ ref('stg_billing__payments') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'billing' and table_name = 'subscriptions'
),

payment_totals as (
    select
        invoices.subscription_id,
        count(*) as payment_attempts,
        sum(case when payments.status = 'failed' then 1 else 0 end) as failed_payments,
        sum(case when payments.refunded_at < {{ as_of_at }} then 1 else 0 end) as refunds,
        sum(
            case when payments.status in ('succeeded', 'refunded') then payments.amount else 0 end
        ) as amount_paid
    from payments
    inner join invoices
        on payments.invoice_id = invoices.invoice_id
    where
        payments.attempted_at < {{ as_of_at }}
        and (payments.loaded_at is null or payments.loaded_at < {{ as_of_at }})
    group by invoices.subscription_id
),

known as (
    select
        subscription_id,
        product_id,
        plan_code,
        billing_period,
        started_at,
        case when cancelled_at < {{ as_of_at }} then cancelled_at end as cancelled_at,
        case
            when status = 'cancelled' and not (cancelled_at < {{ as_of_at }}) then 'active'
            else status
        end as status,
        mrr,
        currency
    from subscriptions
    where started_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        known.subscription_id,
        identity_map.customer_id,
        known.product_id,
        known.plan_code,
        known.billing_period,
        known.status,
        known.cancelled_at is null as is_active,
        known.started_at,
        known.cancelled_at,
        cast(known.mrr as decimal(18, 2)) as mrr,
        known.currency,
        cast(coalesce(payment_totals.payment_attempts, 0) as {{ dbt.type_int() }}) as payment_attempts,
        cast(coalesce(payment_totals.failed_payments, 0) as {{ dbt.type_int() }}) as failed_payments,
        cast(coalesce(payment_totals.refunds, 0) as {{ dbt.type_int() }}) as refunds,
        cast(coalesce(payment_totals.amount_paid, 0) as decimal(18, 2)) as amount_paid
    from known
    inner join identity_map
        on known.subscription_id = identity_map.record_id
    left join payment_totals
        on known.subscription_id = payment_totals.subscription_id
)

select * from final
