{#-
    Health score per customer snapshot: 0-100 from the measure groups of var
    c360_health (usage, support, sentiment, billing, engagement, tenure,
    voice: the sentiment of what the customer wrote), each scored
    0..1 on what the snapshot knew. A missing group does not count as zero:
    the weights of the groups present are re-normalised. Each group's
    contribution in points is stored; they sum to the score.
-#}
{%- set health = var('c360_health', {}) -%}
{%- set weights = health.get('weights', {}) -%}
{%- set groups = c360.health_groups() -%}
{%- set bands = health.get('bands', [[70, 'healthy'], [40, 'neutral'], [0, 'at_risk']]) -%}
{%- set churn_days = var('c360_lifecycle', {}).get('churn_after_days', 240) -%}
{%- set double = c360.type_double() -%}
{%- set recent_days = var('c360_text', {}).get('recent_days', 91) -%}
{%- set total_points -%}
    ({% for group in groups %}coalesce({{ group }}_points, 0){% if not loop.last %} + {% endif %}{% endfor %})
{%- endset -%}

with

snapshots as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_customers__weekly_snapshots') }}
),

texts as (
    select * from {{ ref('int_texts__enriched') }}
    where customer_id is not null and is_enriched
),

voice as (
    -- the mean sentiment of the enriched texts written in the recent_days up to each snapshot's date
    select
        snapshots.customer_snapshot_id,
        avg(texts.sentiment_score) as voice_sentiment
    from snapshots
    inner join texts
        on
            snapshots.customer_id = texts.customer_id
            and snapshots.snapshot_date >= texts.written_date
            and {{ dbt.dateadd('day', -recent_days, 'snapshots.snapshot_date') }} < texts.written_date
    group by snapshots.customer_snapshot_id
),

voiced as (
    select
        snapshots.*,
        voice.voice_sentiment
    from snapshots
    left join voice
        on snapshots.customer_snapshot_id = voice.customer_snapshot_id
),

measured as (
    select
        customer_snapshot_id,
        customer_id,
        snapshot_date,
        weeks_back,
        case
            when sessions_lifetime > 0
                then least(
                    1.0,
                    cast(active_days_28d as {{ double }}) / {{ health.get('usage_target_active_days', 8) }}
                )
        end as usage_score,
        1.0 - least(
            1.0,
            cast(tickets_91d + 2 * escalations_91d as {{ double }}) / {{ health.get('support_max_load', 6) }}
        ) as support_score,
        case
            when latest_nps_score is not null and latest_csat_score is not null
                then (latest_nps_score / 10.0 + (latest_csat_score - 1.0) / 4.0) / 2.0
            when latest_nps_score is not null then latest_nps_score / 10.0
            when latest_csat_score is not null then (latest_csat_score - 1.0) / 4.0
        end as sentiment_score,
        case
            when subscriptions_lifetime > 0
                then 1.0 - least(
                    1.0,
                    cast(failed_payments_91d as {{ double }}) / {{ health.get('billing_max_failed_payments', 3) }}
                )
        end as billing_score,
        case
            when days_since_last_activity is not null
                then 1.0 - least(1.0, cast(days_since_last_activity as {{ double }}) / {{ churn_days }})
        end as engagement_score,
        case
            when tenure_days is not null
                then least(1.0, cast(tenure_days as {{ double }}) / {{ health.get('tenure_maturity_days', 365) }})
        end as tenure_score,
        (voice_sentiment + 1.0) / 2.0 as voice_score
    from voiced
),

weighted as (
    select
        customer_snapshot_id,
        customer_id,
        snapshot_date,
        weeks_back,
        {%- for group in groups %}
            cast({{ group }}_score as {{ double }}) as {{ group }}_score,
        {%- endfor %}
        {%- for group in groups %}
            case when {{ group }}_score is not null then {{ weights.get(group, 0) }} else 0 end
            {%- if not loop.last %} + {% endif %}
        {%- endfor %} as weight_present
    from measured
),

scored as (
    select
        customer_snapshot_id,
        customer_id,
        snapshot_date,
        weeks_back,
        {%- for group in groups %}
            {{ group }}_score,
        {%- endfor %}
        {%- for group in groups %}
            case
                when weight_present > 0 and {{ group }}_score is not null
                    then 100.0 * {{ weights.get(group, 0) }} * {{ group }}_score / weight_present
            end as {{ group }}_points,
        {%- endfor %}
        weight_present
    from weighted
),

final as (
    select
        customer_snapshot_id,
        customer_id,
        snapshot_date,
        weeks_back,
        case
            when weight_present > 0
                then {{ c360.round_double(total_points, 2) }}
        end as health_score,
        case
            when weight_present = 0 then null
            {%- for cut, band in bands %}
                when {{ c360.round_double(total_points, 2) }} >= {{ cut }} then '{{ band }}'
            {%- endfor %}
        end as health_band,
        {%- for group in groups %}
            {{ c360.round_double(group ~ '_score', 4) }} as health_{{ group }}_score,
            {{ c360.round_double(group ~ '_points', 2) }} as health_{{ group }}_points,
        {%- endfor %}
        cast(weight_present as {{ double }}) as health_weight_present
    from scored
)

select * from final
