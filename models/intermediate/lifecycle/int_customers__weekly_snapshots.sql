{#-
    Point-in-time customer snapshots: one row per customer and week, dated
    c360_as_of_date - 7 * n days (n = 0 .. snapshot_weeks - 1, from the
    customer's first touchpoint on), each holding only what was known by the
    end of its date: touchpoints up to then, counted in weekly buckets and
    summed over the last 1, 4, 13 and 52 weeks (7, 28, 91 and 364 days) and
    over the whole history, the customer's first snapshot date (tenure
    starts there), and the lifecycle stage at that instant. Churn
    and upsell models train on this table and nothing else.
-#}
{%- set lc = var('c360_lifecycle', {}) -%}
{%- set weeks = lc.get('snapshot_weeks', 156) -%}
{%- set activity_types = lc.get('activity_types', ['order', 'session']) -%}
{%- set activity_list = "'" ~ activity_types | join("', '") ~ "'" -%}
{%- set double = c360.type_double() -%}

with

touchpoints as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_touchpoints__unioned') }}
),

stages as (
    select * from {{ ref('int_customers__lifecycle_stages') }}
),

week_numbers as (
    {{ dbt.generate_series(weeks) }}
),

weeks as (
    select
        cast(generated_number - 1 as {{ dbt.type_int() }}) as weeks_back,
        cast({{ dbt.dateadd('day', '-7 * (generated_number - 1)', c360.as_of_date()) }} as date) as snapshot_date
    from week_numbers
),

dated_events as (
    {#- Events count in the week of their own instant; ticket resolutions,
        subscription ends and refunds in the week they happened; history
        older than the first snapshot falls into it. #}
    select
        customer_id,
        touchpoint_type,
        status,
        detail,
        score,
        is_escalated,
        value_amount,
        occurred_date as event_date,
        occurred_at,
        ended_at,
        'start' as event_edge
    from touchpoints
    union all
    select
        customer_id,
        touchpoint_type,
        status,
        detail,
        score,
        is_escalated,
        value_amount,
        cast({{ dbt.date_trunc('day', 'ended_at') }} as date) as event_date,
        occurred_at,
        ended_at,
        'end' as event_edge
    from touchpoints
    where
        ended_at is not null
        and touchpoint_type in ('support_ticket', 'subscription', 'payment')
),

bucketed as (
    select
        customer_id,
        touchpoint_type,
        status,
        detail,
        score,
        is_escalated,
        value_amount,
        event_date,
        occurred_at,
        ended_at,
        event_edge,
        least(
            cast(floor({{ dbt.datediff('event_date', c360.as_of_date(), 'day') }} / 7.0) as {{ dbt.type_int() }}),
            {{ weeks - 1 }}
        ) as weeks_back
    from dated_events
),

weekly as (
    select
        customer_id,
        weeks_back,
        sum(case when event_edge = 'start' and touchpoint_type = 'order' and status = 'completed' then 1 else 0 end)
            as orders,
        sum(
            case
                when event_edge = 'start' and touchpoint_type = 'order' and status = 'completed'
                    then value_amount
                else 0
            end
        ) as revenue,
        count(distinct case
            when event_edge = 'start' and touchpoint_type in ({{ activity_list }}) then event_date
        end) as active_days,
        max(case
            when event_edge = 'start' and touchpoint_type in ({{ activity_list }}) then event_date
        end) as last_active_date,
        max(case
            when event_edge = 'start' and touchpoint_type = 'order' and status = 'completed' then event_date
        end) as last_order_date,
        min(case
            when
                event_edge = 'start'
                and ((touchpoint_type = 'order' and status = 'completed') or touchpoint_type = 'subscription')
                then event_date
        end) as first_purchase_date,
        sum(case when event_edge = 'start' and touchpoint_type = 'session' then 1 else 0 end) as sessions,
        sum(case when event_edge = 'start' and touchpoint_type = 'support_ticket' then 1 else 0 end)
            as tickets_opened,
        sum(case when event_edge = 'end' and touchpoint_type = 'support_ticket' then 1 else 0 end)
            as tickets_resolved,
        sum(
            case
                when event_edge = 'end' and touchpoint_type = 'support_ticket'
                    then cast({{ dbt.datediff('occurred_at', 'ended_at', 'second') }} as {{ double }}) / 86400.0
                else 0
            end
        ) as ticket_days_to_resolve,
        sum(
            case when event_edge = 'start' and touchpoint_type = 'support_ticket' and is_escalated then 1 else 0 end
        ) as escalations,
        sum(case when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'nps' then 1 else 0 end)
            as nps_responses,
        sum(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'nps' and score >= 9
                    then 1
                else 0
            end
        ) as nps_promoters,
        sum(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'nps' and score <= 6
                    then 1
                else 0
            end
        ) as nps_detractors,
        avg(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'nps'
                    then cast(score as {{ double }})
            end
        ) as nps_score_mean,
        sum(case when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'csat' then 1 else 0 end)
            as csat_responses,
        sum(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'csat' and score >= 4
                    then 1
                else 0
            end
        ) as csat_satisfied,
        sum(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'csat' and score <= 2
                    then 1
                else 0
            end
        ) as csat_dissatisfied,
        avg(
            case
                when event_edge = 'start' and touchpoint_type = 'survey_response' and status = 'csat'
                    then cast(score as {{ double }})
            end
        ) as csat_score_mean,
        sum(case when event_edge = 'start' and touchpoint_type = 'claim' then 1 else 0 end) as claims,
        sum(case when event_edge = 'start' and touchpoint_type = 'payment' then 1 else 0 end) as payments,
        sum(case when event_edge = 'start' and touchpoint_type = 'payment' and status = 'failed' then 1 else 0 end)
            as failed_payments,
        sum(case when event_edge = 'end' and touchpoint_type = 'payment' then 1 else 0 end) as refunds,
        sum(case when event_edge = 'start' and touchpoint_type = 'subscription' then 1 else 0 end)
            as subscriptions_started,
        sum(case when event_edge = 'end' and touchpoint_type = 'subscription' then 1 else 0 end)
            as subscriptions_ended,
        sum(
            case
                when touchpoint_type = 'subscription'
                    then
                        case when event_edge = 'start' then 1 else -1 end
                        * coalesce(value_amount, 0)
                else 0
            end
        ) as mrr_change,
        sum(case when event_edge = 'start' and touchpoint_type = 'marketing_send' then 1 else 0 end)
            as marketing_sends,
        sum(case when event_edge = 'start' and touchpoint_type = 'marketing_open' then 1 else 0 end)
            as marketing_opens,
        sum(case when event_edge = 'start' and touchpoint_type = 'marketing_click' then 1 else 0 end)
            as marketing_clicks,
        sum(case when event_edge = 'start' and touchpoint_type = 'marketing_unsubscribe' then 1 else 0 end)
            as marketing_unsubscribes,
        sum(case when event_edge = 'start' and touchpoint_type = 'social_mention' and status = 'own_brand' then 1 else 0 end)
            as social_mentions,
        min(occurred_at) as first_touchpoint_at
    from bucketed
    group by customer_id, weeks_back
),

customer_starts as (
    select
        customer_id,
        max(weeks_back) as first_weeks_back
    from weekly
    group by customer_id
),

spine as (
    select
        customer_starts.customer_id,
        weeks.weeks_back,
        weeks.snapshot_date
    from customer_starts
    inner join weeks
        on customer_starts.first_weeks_back >= weeks.weeks_back
),

{# Counts enter the windows as doubles (exact for any count below 2^53; cast
    back to integers at the end): summed as integers, DuckDB keeps 128-bit
    states for every window, which at 100,000 customers made the window
    operator a third slower at the same memory. -#}
filled as (
    select
        spine.customer_id,
        spine.weeks_back,
        spine.snapshot_date,
        cast(coalesce(weekly.orders, 0) as {{ double }}) as orders,
        coalesce(weekly.revenue, 0) as revenue,
        cast(coalesce(weekly.active_days, 0) as {{ double }}) as active_days,
        weekly.last_active_date,
        weekly.last_order_date,
        weekly.first_purchase_date,
        cast(coalesce(weekly.sessions, 0) as {{ double }}) as sessions,
        cast(coalesce(weekly.tickets_opened, 0) as {{ double }}) as tickets_opened,
        cast(coalesce(weekly.tickets_resolved, 0) as {{ double }}) as tickets_resolved,
        coalesce(weekly.ticket_days_to_resolve, 0) as ticket_days_to_resolve,
        cast(coalesce(weekly.escalations, 0) as {{ double }}) as escalations,
        cast(coalesce(weekly.nps_responses, 0) as {{ double }}) as nps_responses,
        cast(coalesce(weekly.nps_promoters, 0) as {{ double }}) as nps_promoters,
        cast(coalesce(weekly.nps_detractors, 0) as {{ double }}) as nps_detractors,
        weekly.nps_score_mean,
        cast(coalesce(weekly.csat_responses, 0) as {{ double }}) as csat_responses,
        cast(coalesce(weekly.csat_satisfied, 0) as {{ double }}) as csat_satisfied,
        cast(coalesce(weekly.csat_dissatisfied, 0) as {{ double }}) as csat_dissatisfied,
        weekly.csat_score_mean,
        cast(coalesce(weekly.claims, 0) as {{ double }}) as claims,
        cast(coalesce(weekly.payments, 0) as {{ double }}) as payments,
        cast(coalesce(weekly.failed_payments, 0) as {{ double }}) as failed_payments,
        cast(coalesce(weekly.refunds, 0) as {{ double }}) as refunds,
        cast(coalesce(weekly.subscriptions_started, 0) as {{ double }}) as subscriptions_started,
        cast(coalesce(weekly.subscriptions_ended, 0) as {{ double }}) as subscriptions_ended,
        coalesce(weekly.mrr_change, 0) as mrr_change,
        cast(coalesce(weekly.marketing_sends, 0) as {{ double }}) as marketing_sends,
        cast(coalesce(weekly.marketing_opens, 0) as {{ double }}) as marketing_opens,
        cast(coalesce(weekly.marketing_clicks, 0) as {{ double }}) as marketing_clicks,
        cast(coalesce(weekly.marketing_unsubscribes, 0) as {{ double }}) as marketing_unsubscribes,
        cast(coalesce(weekly.social_mentions, 0) as {{ double }}) as social_mentions,
        case when weekly.nps_responses > 0 then spine.weeks_back end as nps_weeks_back,
        case when weekly.csat_responses > 0 then spine.weeks_back end as csat_weeks_back
    from spine
    left join weekly
        on
            spine.customer_id = weekly.customer_id
            and spine.weeks_back = weekly.weeks_back
),


rolled as (
    select
        customer_id,
        weeks_back,
        snapshot_date,
        {#- the first snapshot ever: a trailing window, never after the row's date #}
        min(snapshot_date) over ({{ c360.trailing_weeks() }}) as first_snapshot_date,
        sum(orders) over ({{ c360.trailing_weeks() }}) as orders_lifetime,
        sum(orders) over ({{ c360.trailing_weeks(13) }}) as orders_91d,
        sum(orders) over ({{ c360.trailing_weeks(52) }}) as orders_364d,
        sum(revenue) over ({{ c360.trailing_weeks() }}) as revenue_lifetime,
        sum(revenue) over ({{ c360.trailing_weeks(13) }}) as revenue_91d,
        sum(revenue) over ({{ c360.trailing_weeks(52) }}) as revenue_364d,
        sum(active_days) over ({{ c360.trailing_weeks(1) }}) as active_days_7d,
        sum(active_days) over ({{ c360.trailing_weeks(4) }}) as active_days_28d,
        sum(active_days) over ({{ c360.trailing_weeks(13) }}) as active_days_91d,
        sum(active_days) over ({{ c360.trailing_weeks() }}) as active_days_lifetime,
        max(last_active_date) over ({{ c360.trailing_weeks() }}) as last_active_date,
        max(last_order_date) over ({{ c360.trailing_weeks() }}) as last_order_date,
        min(first_purchase_date) over ({{ c360.trailing_weeks() }}) as first_purchase_date,
        sum(sessions) over ({{ c360.trailing_weeks(4) }}) as sessions_28d,
        sum(sessions) over ({{ c360.trailing_weeks() }}) as sessions_lifetime,
        sum(tickets_opened) over ({{ c360.trailing_weeks() }}) as tickets_lifetime,
        sum(tickets_opened) over ({{ c360.trailing_weeks(4) }}) as tickets_28d,
        sum(tickets_opened) over ({{ c360.trailing_weeks(13) }}) as tickets_91d,
        sum(tickets_opened) over ({{ c360.trailing_weeks() }}) - sum(tickets_resolved) over ({{ c360.trailing_weeks() }}) as open_tickets,
        sum(tickets_resolved) over ({{ c360.trailing_weeks() }}) as tickets_resolved_lifetime,
        sum(ticket_days_to_resolve) over ({{ c360.trailing_weeks() }}) as ticket_days_to_resolve_lifetime,
        sum(escalations) over ({{ c360.trailing_weeks() }}) as escalations_lifetime,
        sum(escalations) over ({{ c360.trailing_weeks(13) }}) as escalations_91d,
        sum(nps_responses) over ({{ c360.trailing_weeks() }}) as nps_responses_lifetime,
        sum(nps_promoters) over ({{ c360.trailing_weeks() }}) as nps_promoters_lifetime,
        sum(nps_detractors) over ({{ c360.trailing_weeks() }}) as nps_detractors_lifetime,
        sum(nps_detractors) over ({{ c360.trailing_weeks(52) }}) as nps_detractors_364d,
        sum(csat_responses) over ({{ c360.trailing_weeks() }}) as csat_responses_lifetime,
        sum(csat_satisfied) over ({{ c360.trailing_weeks() }}) as csat_satisfied_lifetime,
        sum(csat_dissatisfied) over ({{ c360.trailing_weeks(52) }}) as csat_dissatisfied_364d,
        sum(claims) over ({{ c360.trailing_weeks() }}) as claims_lifetime,
        sum(claims) over ({{ c360.trailing_weeks(52) }}) as claims_364d,
        sum(payments) over ({{ c360.trailing_weeks() }}) as payments_lifetime,
        sum(failed_payments) over ({{ c360.trailing_weeks() }}) as failed_payments_lifetime,
        sum(failed_payments) over ({{ c360.trailing_weeks(13) }}) as failed_payments_91d,
        sum(refunds) over ({{ c360.trailing_weeks() }}) as refunds_lifetime,
        sum(subscriptions_started) over ({{ c360.trailing_weeks() }}) as subscriptions_lifetime,
        sum(subscriptions_started) over ({{ c360.trailing_weeks() }})
        - sum(subscriptions_ended) over ({{ c360.trailing_weeks() }}) as active_subscriptions,
        sum(mrr_change) over ({{ c360.trailing_weeks() }}) as mrr,
        sum(marketing_sends) over ({{ c360.trailing_weeks() }}) as marketing_sends_lifetime,
        sum(marketing_sends) over ({{ c360.trailing_weeks(13) }}) as marketing_sends_91d,
        sum(marketing_opens) over ({{ c360.trailing_weeks(13) }}) as marketing_opens_91d,
        sum(marketing_clicks) over ({{ c360.trailing_weeks(13) }}) as marketing_clicks_91d,
        sum(marketing_unsubscribes) over ({{ c360.trailing_weeks() }}) as marketing_unsubscribes_lifetime,
        sum(social_mentions) over ({{ c360.trailing_weeks() }}) as social_mentions_lifetime,
        sum(social_mentions) over ({{ c360.trailing_weeks(13) }}) as social_mentions_91d,
        min(nps_weeks_back) over ({{ c360.trailing_weeks() }}) as nps_weeks_back,
        min(csat_weeks_back) over ({{ c360.trailing_weeks() }}) as csat_weeks_back
    from filled
),

latest_answers as (
    select
        rolled.customer_id,
        rolled.weeks_back,
        nps_week.nps_score_mean as latest_nps_score,
        csat_week.csat_score_mean as latest_csat_score
    from rolled
    left join filled as nps_week
        on
            rolled.customer_id = nps_week.customer_id
            and rolled.nps_weeks_back = nps_week.weeks_back
    left join filled as csat_week
        on
            rolled.customer_id = csat_week.customer_id
            and rolled.csat_weeks_back = csat_week.weeks_back
),

snapshot_stages as (
    select
        rolled.customer_id,
        rolled.weeks_back,
        stages.lifecycle_stage
    from rolled
    inner join stages
        on
            rolled.customer_id = stages.customer_id
            and stages.entered_at < {{ dbt.dateadd('day', 1, 'rolled.snapshot_date') }}
            and (
                stages.exited_at is null
                or stages.exited_at >= {{ dbt.dateadd('day', 1, 'rolled.snapshot_date') }}
            )
),

final as (
    select
        {{ dbt.concat(['rolled.customer_id', "':'", dbt.safe_cast('rolled.snapshot_date', dbt.type_string())]) }}
            as customer_snapshot_id,
        rolled.customer_id,
        rolled.snapshot_date,
        rolled.weeks_back,
        rolled.first_snapshot_date,
        coalesce(snapshot_stages.lifecycle_stage, 'prospect') as lifecycle_stage,
        cast(rolled.orders_lifetime as {{ dbt.type_int() }}) as orders_lifetime,
        cast(rolled.orders_91d as {{ dbt.type_int() }}) as orders_91d,
        cast(rolled.orders_364d as {{ dbt.type_int() }}) as orders_364d,
        cast(rolled.revenue_lifetime as decimal(18, 2)) as revenue_lifetime,
        cast(rolled.revenue_91d as decimal(18, 2)) as revenue_91d,
        cast(rolled.revenue_364d as decimal(18, 2)) as revenue_364d,
        cast(rolled.active_days_7d as {{ dbt.type_int() }}) as active_days_7d,
        cast(rolled.active_days_28d as {{ dbt.type_int() }}) as active_days_28d,
        cast(rolled.active_days_91d as {{ dbt.type_int() }}) as active_days_91d,
        cast(rolled.active_days_lifetime as {{ dbt.type_int() }}) as active_days_lifetime,
        rolled.last_active_date,
        rolled.last_order_date,
        cast({{ dbt.datediff('rolled.last_active_date', 'rolled.snapshot_date', 'day') }} as {{ dbt.type_int() }})
            as days_since_last_activity,
        cast({{ dbt.datediff('rolled.last_order_date', 'rolled.snapshot_date', 'day') }} as {{ dbt.type_int() }})
            as days_since_last_order,
        rolled.first_purchase_date,
        cast({{ dbt.datediff('rolled.first_purchase_date', 'rolled.snapshot_date', 'day') }} as {{ dbt.type_int() }})
            as tenure_days,
        cast(rolled.sessions_28d as {{ dbt.type_int() }}) as sessions_28d,
        cast(rolled.sessions_lifetime as {{ dbt.type_int() }}) as sessions_lifetime,
        cast(rolled.tickets_lifetime as {{ dbt.type_int() }}) as tickets_lifetime,
        cast(rolled.tickets_28d as {{ dbt.type_int() }}) as tickets_28d,
        cast(rolled.tickets_91d as {{ dbt.type_int() }}) as tickets_91d,
        cast(rolled.open_tickets as {{ dbt.type_int() }}) as open_tickets,
        case
            when rolled.tickets_resolved_lifetime > 0
                then rolled.ticket_days_to_resolve_lifetime / rolled.tickets_resolved_lifetime
        end as avg_days_to_resolve,
        cast(rolled.escalations_lifetime as {{ dbt.type_int() }}) as escalations_lifetime,
        cast(rolled.escalations_91d as {{ dbt.type_int() }}) as escalations_91d,
        cast(rolled.nps_responses_lifetime as {{ dbt.type_int() }}) as nps_responses_lifetime,
        cast(rolled.nps_promoters_lifetime as {{ dbt.type_int() }}) as nps_promoters_lifetime,
        cast(rolled.nps_detractors_lifetime as {{ dbt.type_int() }}) as nps_detractors_lifetime,
        latest_answers.latest_nps_score,
        cast(rolled.csat_responses_lifetime as {{ dbt.type_int() }}) as csat_responses_lifetime,
        cast(rolled.csat_satisfied_lifetime as {{ dbt.type_int() }}) as csat_satisfied_lifetime,
        latest_answers.latest_csat_score,
        cast(rolled.nps_detractors_364d + rolled.csat_dissatisfied_364d as {{ dbt.type_int() }})
            as negative_feedback_364d,
        cast(rolled.claims_lifetime as {{ dbt.type_int() }}) as claims_lifetime,
        cast(rolled.claims_364d as {{ dbt.type_int() }}) as claims_364d,
        cast(rolled.payments_lifetime as {{ dbt.type_int() }}) as payments_lifetime,
        cast(rolled.failed_payments_lifetime as {{ dbt.type_int() }}) as failed_payments_lifetime,
        cast(rolled.failed_payments_91d as {{ dbt.type_int() }}) as failed_payments_91d,
        cast(rolled.refunds_lifetime as {{ dbt.type_int() }}) as refunds_lifetime,
        cast(rolled.subscriptions_lifetime as {{ dbt.type_int() }}) as subscriptions_lifetime,
        cast(rolled.active_subscriptions as {{ dbt.type_int() }}) as active_subscriptions,
        cast(rolled.mrr as decimal(18, 2)) as mrr,
        cast(rolled.marketing_sends_lifetime as {{ dbt.type_int() }}) as marketing_sends_lifetime,
        cast(rolled.marketing_sends_91d as {{ dbt.type_int() }}) as marketing_sends_91d,
        cast(rolled.marketing_opens_91d as {{ dbt.type_int() }}) as marketing_opens_91d,
        cast(rolled.marketing_clicks_91d as {{ dbt.type_int() }}) as marketing_clicks_91d,
        cast(rolled.marketing_unsubscribes_lifetime as {{ dbt.type_int() }}) as marketing_unsubscribes_lifetime,
        cast(rolled.social_mentions_lifetime as {{ dbt.type_int() }}) as social_mentions_lifetime,
        cast(rolled.social_mentions_91d as {{ dbt.type_int() }}) as social_mentions_91d
    from rolled
    inner join latest_answers
        on
            rolled.customer_id = latest_answers.customer_id
            and rolled.weeks_back = latest_answers.weeks_back
    left join snapshot_stages
        on
            rolled.customer_id = snapshot_stages.customer_id
            and rolled.weeks_back = snapshot_stages.weeks_back
)

select * from final
