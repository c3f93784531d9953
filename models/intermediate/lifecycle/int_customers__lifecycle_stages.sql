{#-
    Lifecycle stage history: one row per customer and stage period, from
    prospect to new customer, active, at risk, churned and reactivated, with
    the instants each stage was entered and left (null while current), as of
    the build's as-of date. Definitions: var c360_lifecycle.

    Activity (orders, sessions: activity_types) after the first purchase
    keeps a customer healthy for at_risk_after_days and a customer for
    churn_after_days; a subscription keeps its customer healthy until it
    ends (+ subscription_at_risk_after_days) and a customer until
    subscription_churn_after_days after it ends. Overlapping coverage forms
    activity periods (gaps and islands); inside one, coverage gaps of the
    healthy window are at_risk; between two, the customer is churned. Every
    boundary depends only on what happened before it, so the stage at any
    instant uses no later data.
-#}
{%- set lc = var('c360_lifecycle', {}) -%}
{%- set as_of_at = c360.as_of_at() -%}
{%- set activity_types = lc.get('activity_types', ['order', 'session']) -%}

with

touchpoints as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_touchpoints__unioned') }}
),

first_seen as (
    select
        customer_id,
        min(occurred_at) as first_seen_at
    from touchpoints
    group by customer_id
),

first_purchase as (
    select
        customer_id,
        min(occurred_at) as first_purchase_at
    from touchpoints
    where touchpoint_type in ('order', 'subscription')
    group by customer_id
),

activity as (
    select
        touchpoints.customer_id,
        touchpoints.occurred_at as started_at,
        case
            when touchpoints.touchpoint_type = 'subscription'
                then coalesce(touchpoints.ended_at, {{ as_of_at }})
            else touchpoints.occurred_at
        end as activity_at,
        case
            when touchpoints.touchpoint_type = 'subscription'
                then {{ dbt.dateadd('day', lc.get('subscription_at_risk_after_days', 0), 'coalesce(touchpoints.ended_at, ' ~ as_of_at ~ ')') }}
            else {{ dbt.dateadd('day', lc.get('at_risk_after_days', 120), 'touchpoints.occurred_at') }}
        end as healthy_until,
        case
            when touchpoints.touchpoint_type = 'subscription'
                then {{ dbt.dateadd('day', lc.get('subscription_churn_after_days', 45), 'coalesce(touchpoints.ended_at, ' ~ as_of_at ~ ')') }}
            else {{ dbt.dateadd('day', lc.get('churn_after_days', 240), 'touchpoints.occurred_at') }}
        end as active_until
    from touchpoints
    inner join first_purchase
        on touchpoints.customer_id = first_purchase.customer_id
    where
        (
            touchpoints.touchpoint_type = 'subscription'
            or touchpoints.touchpoint_type in ({{ "'" ~ activity_types | join("', '") ~ "'" }})
        )
        and touchpoints.occurred_at >= first_purchase.first_purchase_at
),

active_flagged as (
    select
        customer_id,
        started_at,
        activity_at,
        active_until,
        case
            when started_at <= max(active_until) over (
                partition by customer_id order by started_at, active_until
                rows between unbounded preceding and 1 preceding
            ) then 0
            else 1
        end as is_period_start
    from activity
),

active_numbered as (
    select
        customer_id,
        started_at,
        activity_at,
        active_until,
        sum(is_period_start) over (
            partition by customer_id order by started_at, active_until
            rows between unbounded preceding and current row
        ) as period_number
    from active_flagged
),

active_periods as (
    select
        customer_id,
        period_number,
        min(started_at) as period_started_at,
        max(activity_at) as last_activity_at,
        max(active_until) as period_ended_at
    from active_numbered
    group by customer_id, period_number
),

active_periods_next as (
    select
        customer_id,
        period_number,
        period_started_at,
        period_ended_at,
        last_activity_at,
        lead(period_started_at) over (
            partition by customer_id order by period_number
        ) as next_period_started_at
    from active_periods
),

healthy_flagged as (
    select
        customer_id,
        started_at,
        healthy_until,
        case
            when started_at <= max(healthy_until) over (
                partition by customer_id order by started_at, healthy_until
                rows between unbounded preceding and 1 preceding
            ) then 0
            else 1
        end as is_spell_start
    from activity
),

healthy_numbered as (
    select
        customer_id,
        started_at,
        healthy_until,
        sum(is_spell_start) over (
            partition by customer_id order by started_at, healthy_until
            rows between unbounded preceding and current row
        ) as spell_number
    from healthy_flagged
),

healthy_spells as (
    select
        customer_id,
        spell_number,
        min(started_at) as spell_started_at,
        max(healthy_until) as spell_ended_at
    from healthy_numbered
    group by customer_id, spell_number
),

spells_in_periods as (
    select
        healthy_spells.customer_id,
        active_periods.period_number,
        active_periods.period_ended_at,
        healthy_spells.spell_started_at,
        healthy_spells.spell_ended_at,
        row_number() over (
            partition by healthy_spells.customer_id, active_periods.period_number
            order by healthy_spells.spell_started_at
        ) as spell_in_period,
        lead(healthy_spells.spell_started_at) over (
            partition by healthy_spells.customer_id, active_periods.period_number
            order by healthy_spells.spell_started_at
        ) as next_spell_started_at
    from healthy_spells
    inner join active_periods
        on
            healthy_spells.customer_id = active_periods.customer_id
            and healthy_spells.spell_started_at >= active_periods.period_started_at
            and healthy_spells.spell_started_at < active_periods.period_ended_at
),

spell_bounds as (
    select
        customer_id,
        period_number,
        period_ended_at,
        spell_started_at,
        spell_ended_at,
        spell_in_period,
        next_spell_started_at,
        case
            when spell_in_period = 1
                then {{ dbt.dateadd('day', lc.get('new_customer_days', 90), 'spell_started_at') }}
            else spell_started_at
        end as active_from
    from spells_in_periods
),

prospect_stages as (
    select
        first_seen.customer_id,
        'prospect' as lifecycle_stage,
        0 as period_number,
        first_seen.first_seen_at as entered_at,
        first_purchase.first_purchase_at as exited_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_activity_at
    from first_seen
    left join first_purchase
        on first_seen.customer_id = first_purchase.customer_id
    where
        first_purchase.first_purchase_at is null
        or first_seen.first_seen_at < first_purchase.first_purchase_at
),

opening_stages as (
    select
        customer_id,
        case when period_number = 1 then 'new_customer' else 'reactivated' end as lifecycle_stage,
        period_number,
        spell_started_at as entered_at,
        case when active_from < spell_ended_at then active_from else spell_ended_at end as exited_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_activity_at
    from spell_bounds
    where spell_in_period = 1
),

active_stages as (
    select
        customer_id,
        'active' as lifecycle_stage,
        period_number,
        active_from as entered_at,
        spell_ended_at as exited_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_activity_at
    from spell_bounds
    where active_from < spell_ended_at
),

at_risk_stages as (
    select
        customer_id,
        'at_risk' as lifecycle_stage,
        period_number,
        spell_ended_at as entered_at,
        coalesce(next_spell_started_at, period_ended_at) as exited_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_activity_at
    from spell_bounds
    where spell_ended_at < coalesce(next_spell_started_at, period_ended_at)
),

churned_stages as (
    select
        customer_id,
        'churned' as lifecycle_stage,
        period_number,
        period_ended_at as entered_at,
        next_period_started_at as exited_at,
        last_activity_at
    from active_periods_next
),

all_stages as (
    select * from prospect_stages
    union all
    select * from opening_stages
    union all
    select * from active_stages
    union all
    select * from at_risk_stages
    union all
    select * from churned_stages
),

known_stages as (
    select
        customer_id,
        lifecycle_stage,
        period_number,
        entered_at,
        case when exited_at < {{ as_of_at }} then exited_at end as exited_at,
        last_activity_at
    from all_stages
    where entered_at < {{ as_of_at }}
),

numbered as (
    select
        customer_id,
        lifecycle_stage,
        period_number,
        entered_at,
        exited_at,
        last_activity_at,
        row_number() over (partition by customer_id order by entered_at, period_number) as stage_number
    from known_stages
),

final as (
    select
        {{ dbt.concat(['customer_id', "':'", dbt.safe_cast('stage_number', dbt.type_string())]) }}
            as lifecycle_stage_id,
        customer_id,
        cast(stage_number as {{ dbt.type_int() }}) as stage_number,
        lifecycle_stage,
        lag(lifecycle_stage) over (partition by customer_id order by stage_number) as previous_stage,
        cast(period_number as {{ dbt.type_int() }}) as activity_period_number,
        entered_at,
        exited_at,
        exited_at is null as is_current,
        last_activity_at as churned_after_activity_at
    from numbered
)

select * from final
