{{ config(enabled=c360.source_enabled('feedback')) }}
{#- One row per warranty or insurance claim filed by the as-of date, as it
    stood then (a decision after the as-of date is not known yet). -#}
{%- set as_of_at = c360.as_of_at() -%}
{%- set double = c360.type_double() -%}

with

claims as (
    select * from {{ ref('stg_feedback__claims') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'feedback' and table_name = 'claims'
),

known as (
    select
        claim_id,
        claim_type,
        product_id,
        order_id,
        description,
        amount_claimed,
        case
            when status <> 'submitted' and not (decided_at < {{ as_of_at }}) then 'submitted'
            else status
        end as status,
        filed_at,
        case when decided_at < {{ as_of_at }} then decided_at end as decided_at
    from claims
    where filed_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        known.claim_id,
        identity_map.customer_id,
        known.claim_type,
        known.product_id,
        known.order_id,
        known.status,
        known.status <> 'submitted' as is_decided,
        cast(known.amount_claimed as decimal(18, 2)) as amount_claimed,
        known.description,
        known.filed_at,
        cast({{ dbt.date_trunc('day', 'known.filed_at') }} as date) as filed_date,
        known.decided_at,
        cast({{ dbt.datediff('known.filed_at', 'known.decided_at', 'second') }} as {{ double }}) / 86400.0
            as days_to_decide
    from known
    inner join identity_map
        on known.claim_id = identity_map.record_id
)

select * from final
