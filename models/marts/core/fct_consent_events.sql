{{ config(enabled=c360.source_enabled('privacy')) }}
{#- One row per consent decision (a grant or withdrawal for one purpose)
    recorded by the as-of date, flagging each customer's latest decision per
    purpose as of then: the consent in force. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

consents as (
    select * from {{ ref('stg_privacy__consents') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'privacy' and table_name = 'consents'
),

known as (
    select
        consents.consent_id,
        identity_map.customer_id,
        consents.purpose,
        consents.status,
        consents.source_system,
        consents.recorded_at,
        -- ranked among the decisions known by the as-of date only
        row_number() over (
            partition by identity_map.customer_id, consents.purpose
            order by consents.recorded_at desc, consents.consent_id desc
        ) as purpose_decision_rank
    from consents
    inner join identity_map
        on consents.consent_id = identity_map.record_id
    where
        consents.recorded_at < {{ as_of_at }}
        and (consents.loaded_at is null or consents.loaded_at < {{ as_of_at }})
),

final as (
    select
        consent_id,
        customer_id,
        purpose,
        status as decision,
        status = 'granted' as is_granted,
        source_system,
        recorded_at,
        cast({{ dbt.date_trunc('day', 'recorded_at') }} as date) as recorded_date,
        -- a decision no customer can be found for is in force for nobody
        customer_id is not null and purpose_decision_rank = 1 as is_latest_for_purpose
    from known
)

select * from final
