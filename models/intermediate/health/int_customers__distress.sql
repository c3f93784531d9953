{#-
    Customer Distress Index as of the build's as-of date: one row per
    customer, 0-100, the weighted mean (var c360_distress.weights) of
    distress signals, each normalised against the whole customer base: 0
    when the signal is 0, else the share of customers whose value is at most
    as high (cume_dist). The top_reasons signals contribute the most points.
-#}
{%- set distress = var('c360_distress', {}) -%}
{%- set weights = distress.get('weights', {}) -%}
{%- set signals = weights.keys() | list -%}
{%- set top_n = distress.get('top_reasons', 3) -%}
{%- set total_weight = weights.values() | sum -%}
{%- set double = c360.type_double() -%}

with

snapshots as (
    select * from {{ ref('int_customers__weekly_snapshots') }}
    where weeks_back = 0
),

text_signals as (
    select * from {{ ref('int_customers__text_signals') }}
),

with_texts as (
    select
        snapshots.*,
        coalesce(text_signals.negative_texts_recent, 0) as negative_texts_recent,
        coalesce(text_signals.cancellation_intent_recent, 0) as cancellation_intent_recent
    from snapshots
    left join text_signals
        on snapshots.customer_id = text_signals.customer_id
),

signals as (
    select
        customer_id,
        cast(tickets_lifetime as {{ double }}) as tickets_lifetime,
        cast(tickets_28d as {{ double }}) as tickets_28d,
        cast(open_tickets as {{ double }}) as open_tickets,
        cast(coalesce(avg_days_to_resolve, 0) as {{ double }}) as avg_ticket_open_days,
        cast(escalations_91d as {{ double }}) as escalations_91d,
        cast(negative_feedback_364d as {{ double }}) as negative_feedback_364d,
        greatest(
            0.0,
            cast(active_days_91d - active_days_28d as {{ double }}) * 28.0 / 63.0
            - cast(active_days_28d as {{ double }})
        ) as usage_drop,
        cast(failed_payments_91d as {{ double }}) as failed_payments_91d,
        cast(negative_texts_recent as {{ double }}) as negative_texts_recent,
        cast(cancellation_intent_recent as {{ double }}) as cancellation_intent_recent
    from with_texts
),

normalised as (
    select
        customer_id,
        {%- for signal in signals %}
            {{ signal }},
            case
                when {{ signal }} > 0 then cume_dist() over (order by {{ signal }})
                else 0.0
            end as {{ signal }}_level{% if not loop.last %},{% endif %}
        {%- endfor %}
    from signals
),

points as (
    select
        customer_id,
        {%- for signal in signals %}
            {{ signal }},
            100.0 * {{ weights[signal] }} * {{ signal }}_level / {{ total_weight }} as {{ signal }}_points{% if not loop.last %},{% endif %}
        {%- endfor %}
    from normalised
),

reasons as (
    {%- for signal in signals %}
        select
            customer_id,
            '{{ signal }}' as reason,
            {{ signal }}_points as reason_points
        from points
        where {{ signal }}_points > 0
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

top_reasons as (
    {{ c360.top_ranked('reasons', 'customer_id', 'reason', 'reason_points desc, reason asc', top_n, 'distress_reason_') }}
),

final as (
    select
        points.customer_id,
        {{ c360.round_double('(points.' ~ (signals | join('_points + points.')) ~ '_points)', 2) }}
            as distress_index,
        {%- for signal in signals %}
            {{ c360.round_double('points.' ~ signal ~ '_points', 2) }} as distress_{{ signal }}_points,
        {%- endfor %}
        {%- for rank in range(1, top_n + 1) %}
            top_reasons.distress_reason_{{ rank }},
        {%- endfor %}
        {{ c360.join_ranked('top_reasons.distress_reason_', top_n, ', ') }} as distress_top_reasons
    from points
    left join top_reasons
        on points.customer_id = top_reasons.customer_id
)

select * from final
