{#-
    customer_360: one row per resolved customer, as of the build's as-of
    date, for BI tools to read directly: golden-record identity, lifecycle,
    commerce, subscription and billing, usage, support, feedback, social,
    marketing and consent, health, distress, what the customer wrote (text
    enrichment), market context, and the churn and upsell score columns
    (empty until scoring writes them).
-#}
{%- set health = var('c360_health', {}) -%}
{%- set trend_weeks = health.get('trend_weeks', 4) -%}
{%- set groups = c360.health_groups() -%}
{%- set order_channels = ['web', 'app', 'store', 'phone', 'partner'] -%}
{%- set double = c360.type_double() -%}
{%- set as_of_at = c360.as_of_at() -%}
{#- consent purposes with a column each (<purpose>_consent): the accepted purposes of stg_privacy__consents -#}
{%- set consent_purposes = ['email_marketing', 'sms_marketing', 'analytics', 'personalisation', 'profiling'] -%}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

stages as (
    select * from {{ ref('int_customers__lifecycle_stages') }}
),

touchpoints as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_touchpoints__unioned') }}
),

snapshots as (
    select * from {{ ref('int_customers__weekly_snapshots') }}
    where weeks_back = 0
),

health_scores as (
    select * from {{ ref('int_customers__health_scores') }}
    where weeks_back in (0, {{ trend_weeks }})
),

distress as (
    select * from {{ ref('int_customers__distress') }}
),

text_signals as (
    select * from {{ ref('int_customers__text_signals') }}
),

geocoded as (
    select * from {{ ref('int_customers__geocoded') }}
),

churn_scores as (
    select * from {{ ref('stg_scores__churn_scores') }}
),

upsell_recommendations as (
    select * from {{ ref('stg_scores__upsell_recommendations') }}
),

{# The latest scoring as of the build's as-of date or before it. #}
latest_scoring as (
    select
        'churn' as score_table,
        max(as_of_date) as as_of_date
    from churn_scores
    where as_of_date <= cast('{{ c360.as_of_date_text() }}' as date)
    union all
    select
        'upsell' as score_table,
        max(as_of_date) as as_of_date
    from upsell_recommendations
    where as_of_date <= cast('{{ c360.as_of_date_text() }}' as date)
),

{%- for name, relation, table, condition in [
    ('latest_churn_scores', 'churn_scores', 'churn', none),
    ('top_recommendations', 'upsell_recommendations', 'upsell', 'upsell_recommendations.recommendation_rank = 1')
] %}

    {{ name }} as (
        select {{ relation }}.*
        from {{ relation }}
        inner join latest_scoring
            on
                latest_scoring.score_table = '{{ table }}'
                and {{ relation }}.as_of_date = latest_scoring.as_of_date
        {%- if condition %}
            where {{ condition }}
        {%- endif %}
    ),
{%- endfor %}

{% if c360.source_enabled('commerce') %}
    nearest_stores as (
        select * from {{ ref('int_customers__nearest_store') }}
    ),

    order_lines as (
        select * from {{ ref('fct_order_lines') }}
    ),

    products_owned as (
        select
            customer_id,
            count(distinct product_id) as products_owned,
            count(distinct category) as categories_owned
        from order_lines
        where order_status = 'completed'
        group by customer_id
    ),

    category_spend as (
        select
            customer_id,
            category,
            row_number() over (
                partition by customer_id order by sum(line_amount) desc, category
            ) as category_rank
        from order_lines
        where order_status = 'completed' and category is not null
        group by customer_id, category
    ),
{% else %}
nearest_stores as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as nearest_store_id,
        cast(null as {{ double }}) as nearest_store_km
    where 1 = 0
),

products_owned as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        0 as products_owned,
        0 as categories_owned
    where 1 = 0
),

category_spend as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as category,
        1 as category_rank
    where 1 = 0
),
{% endif %}

{% if c360.source_enabled('privacy') %}
    consent_events as (
        select * from {{ ref('fct_consent_events') }}
    ),

    latest_consents as (
        select
            customer_id,
            {%- for purpose in consent_purposes %}
                max(case when purpose = '{{ purpose }}' then decision end) as {{ purpose }}_consent
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from consent_events
        where is_latest_for_purpose
        group by customer_id
    ),
{% else %}
latest_consents as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        {%- for purpose in consent_purposes %}
            cast(null as {{ dbt.type_string() }}) as {{ purpose }}_consent
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    where 1 = 0
),
{% endif %}

lifecycle_counts as (
    select
        customer_id,
        sum(case when lifecycle_stage = 'churned' then 1 else 0 end) as times_churned,
        sum(case when lifecycle_stage = 'reactivated' then 1 else 0 end) as times_reactivated,
        max(case when lifecycle_stage = 'churned' then entered_at end) as last_churned_at
    from stages
    group by customer_id
),

seen as (
    select
        customer_id,
        min(occurred_at) as first_seen_at,
        max(case when direction = 'inbound' then occurred_at end) as last_seen_at,
        {%- for channel in order_channels %}
            sum(case when touchpoint_type = 'order' and status = 'completed' and channel = '{{ channel }}' then 1 else 0 end)
                as orders_{{ channel }},
        {%- endfor %}
        min(case when touchpoint_type in ('order', 'subscription') then occurred_at end) as first_purchase_at
    from touchpoints
    group by customer_id
),

first_orders as (
    select
        touchpoints.customer_id,
        touchpoints.channel,
        row_number() over (
            partition by touchpoints.customer_id order by touchpoints.occurred_at, touchpoints.touchpoint_id
        ) as purchase_rank
    from touchpoints
    where touchpoints.touchpoint_type in ('order', 'subscription')
),

acquisition_clicks as (
    select
        touchpoints.customer_id,
        touchpoints.detail as campaign_id,
        row_number() over (
            partition by touchpoints.customer_id
            order by touchpoints.occurred_at desc, touchpoints.touchpoint_id desc
        ) as click_rank
    from touchpoints
    inner join seen
        on touchpoints.customer_id = seen.customer_id
    where
        touchpoints.touchpoint_type = 'marketing_click'
        and touchpoints.occurred_at <= seen.first_purchase_at
),

latest_subscriptions as (
    select
        customer_id,
        detail as plan_code,
        row_number() over (partition by customer_id order by occurred_at desc, touchpoint_id desc) as subscription_rank
    from touchpoints
    where touchpoint_type = 'subscription' and ended_at is null
),

health_now as (
    select * from health_scores
    where weeks_back = 0
),

health_before as (
    select
        customer_id,
        health_score
    from health_scores
    where weeks_back = {{ trend_weeks }}
),

assembled as (
    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.phone,
        customers.birth_date,
        customers.street_line,
        customers.postal_code,
        customers.city,
        customers.country_code,
        customers.region,
        geocoded.postal_area as home_postal_area,
        case
            when geocoded.region_code is not null then {{ dbt.concat(['geocoded.country_code', "'-'", 'geocoded.region_code']) }}
        end as home_region,
        geocoded.region_name as home_region_name,
        case when geocoded.region_code is not null then geocoded.country_code end as home_country_code,
        geocoded.latitude as home_latitude,
        geocoded.longitude as home_longitude,
        geocoded.match_level as geocode_match_level,
        nearest_stores.nearest_store_id,
        nearest_stores.nearest_store_km,
        customers.account_id,
        customers.account_type,
        customers.segment,
        customers.industry,
        customers.record_count,
        customers.source_count,
        customers.lifecycle_stage,
        customers.lifecycle_stage_entered_at,
        seen.first_purchase_at is not null as is_customer,
        seen.first_seen_at,
        seen.last_seen_at,
        seen.first_purchase_at,
        cast(
            case
                when seen.first_purchase_at is not null
                    then {{ dbt.datediff('seen.first_purchase_at', as_of_at, 'day') }}
            end as {{ dbt.type_int() }}
        ) as tenure_days,
        cast(coalesce(lifecycle_counts.times_churned, 0) as {{ dbt.type_int() }}) as times_churned,
        cast(coalesce(lifecycle_counts.times_reactivated, 0) as {{ dbt.type_int() }}) as times_reactivated,
        lifecycle_counts.last_churned_at,
        first_orders.channel as acquisition_channel,
        acquisition_clicks.campaign_id as acquisition_campaign_id,
        coalesce(snapshots.orders_lifetime, 0) as orders_lifetime,
        coalesce(snapshots.orders_364d, 0) as orders_364d,
        coalesce(snapshots.revenue_lifetime, 0) as revenue_lifetime,
        coalesce(snapshots.revenue_364d, 0) as revenue_364d,
        case
            when snapshots.orders_lifetime > 0
                then cast(snapshots.revenue_lifetime as {{ double }}) / snapshots.orders_lifetime
        end as average_order_value,
        snapshots.last_order_date,
        snapshots.days_since_last_order,
        {%- for channel in order_channels %}
            coalesce(seen.orders_{{ channel }}, 0) as orders_{{ channel }},
        {%- endfor %}
        coalesce(products_owned.products_owned, 0) as products_owned,
        coalesce(products_owned.categories_owned, 0) as categories_owned,
        category_spend.category as top_category,
        latest_subscriptions.plan_code as current_plan_code,
        coalesce(snapshots.active_subscriptions, 0) as active_subscriptions,
        coalesce(snapshots.subscriptions_lifetime, 0) as subscriptions_lifetime,
        coalesce(snapshots.mrr, 0) as mrr,
        coalesce(snapshots.failed_payments_lifetime, 0) as failed_payments_lifetime,
        coalesce(snapshots.failed_payments_91d, 0) as failed_payments_91d,
        coalesce(snapshots.refunds_lifetime, 0) as refunds_lifetime,
        coalesce(snapshots.active_days_7d, 0) as active_days_7d,
        coalesce(snapshots.active_days_28d, 0) as active_days_28d,
        coalesce(snapshots.active_days_91d, 0) as active_days_91d,
        cast(coalesce(snapshots.active_days_28d, 0) as {{ double }})
        - cast(coalesce(snapshots.active_days_91d, 0) - coalesce(snapshots.active_days_28d, 0) as {{ double }})
        * 28.0 / 63.0 as usage_trend,
        snapshots.last_active_date,
        snapshots.days_since_last_activity,
        coalesce(snapshots.tickets_lifetime, 0) as tickets_lifetime,
        coalesce(snapshots.tickets_28d, 0) as tickets_28d,
        coalesce(snapshots.open_tickets, 0) as open_tickets,
        coalesce(snapshots.escalations_lifetime, 0) as escalations_lifetime,
        snapshots.avg_days_to_resolve,
        coalesce(snapshots.nps_responses_lifetime, 0) as nps_responses,
        case
            when snapshots.nps_responses_lifetime > 0
                then
                    100.0 * cast(snapshots.nps_promoters_lifetime - snapshots.nps_detractors_lifetime as {{ double }})
                    / snapshots.nps_responses_lifetime
        end as nps,
        snapshots.latest_nps_score,
        case
            when snapshots.latest_nps_score is null then null
            when snapshots.latest_nps_score >= 9 then 'promoter'
            when snapshots.latest_nps_score >= 7 then 'passive'
            else 'detractor'
        end as latest_nps_category,
        coalesce(snapshots.csat_responses_lifetime, 0) as csat_responses,
        case
            when snapshots.csat_responses_lifetime > 0
                then 100.0 * cast(snapshots.csat_satisfied_lifetime as {{ double }}) / snapshots.csat_responses_lifetime
        end as csat,
        snapshots.latest_csat_score,
        coalesce(snapshots.claims_lifetime, 0) as claims_lifetime,
        coalesce(snapshots.social_mentions_lifetime, 0) as social_mentions_lifetime,
        coalesce(snapshots.social_mentions_91d, 0) as social_mentions_91d,
        coalesce(snapshots.marketing_sends_91d, 0) as marketing_sends_91d,
        coalesce(snapshots.marketing_opens_91d, 0) as marketing_opens_91d,
        coalesce(snapshots.marketing_clicks_91d, 0) as marketing_clicks_91d,
        case
            when snapshots.marketing_sends_91d > 0
                then cast(snapshots.marketing_opens_91d as {{ double }}) / snapshots.marketing_sends_91d
        end as marketing_open_rate_91d,
        coalesce(snapshots.marketing_unsubscribes_lifetime, 0) > 0 as has_unsubscribed,
        {%- for purpose in consent_purposes %}
            latest_consents.{{ purpose }}_consent,
        {%- endfor %}
        health_now.health_score,
        health_now.health_band,
        {%- for group in groups %}
            health_now.health_{{ group }}_points,
        {%- endfor %}
        health_before.health_score as health_score_before,
        health_now.health_score - health_before.health_score as health_trend,
        coalesce(distress.distress_index, 0) as distress_index,
        distress.distress_top_reasons,
        distress.distress_reason_1,
        distress.distress_reason_2,
        distress.distress_reason_3,
        coalesce(text_signals.texts_recent, 0) as texts_recent,
        text_signals.sentiment_recent,
        text_signals.sentiment_trend,
        coalesce(text_signals.negative_texts_recent, 0) as negative_texts_recent,
        coalesce(text_signals.cancellation_intent_recent, 0) as cancellation_intent_recent,
        text_signals.top_topics
    from customers
    left join seen
        on customers.customer_id = seen.customer_id
    left join lifecycle_counts
        on customers.customer_id = lifecycle_counts.customer_id
    left join first_orders
        on customers.customer_id = first_orders.customer_id and first_orders.purchase_rank = 1
    left join acquisition_clicks
        on customers.customer_id = acquisition_clicks.customer_id and acquisition_clicks.click_rank = 1
    left join snapshots
        on customers.customer_id = snapshots.customer_id
    left join products_owned
        on customers.customer_id = products_owned.customer_id
    left join category_spend
        on customers.customer_id = category_spend.customer_id and category_spend.category_rank = 1
    left join latest_subscriptions
        on customers.customer_id = latest_subscriptions.customer_id and latest_subscriptions.subscription_rank = 1
    left join latest_consents
        on customers.customer_id = latest_consents.customer_id
    left join health_now
        on customers.customer_id = health_now.customer_id
    left join health_before
        on customers.customer_id = health_before.customer_id
    left join distress
        on customers.customer_id = distress.customer_id
    left join text_signals
        on customers.customer_id = text_signals.customer_id
    left join geocoded
        on customers.customer_id = geocoded.customer_id
    left join nearest_stores
        on customers.customer_id = nearest_stores.customer_id
),

{#- RFM scores 1-5 among customers with a completed order (5 = most recent,
    most frequent, highest spend); market context within segment, region
    (country) and home region (percent rank 0..1 among customers with a
    value; null without a home region); segment and home-region averages. -#}
{%- set scopes = ['segment', 'region', 'home_region'] %}
{%- set benchmarks = [
    ('revenue', 'case when assembled.is_customer then cast(assembled.revenue_lifetime as ' ~ double ~ ') end'),
    ('health_score', 'assembled.health_score'),
    ('active_days_28d', 'case when assembled.is_customer then cast(assembled.active_days_28d as ' ~ double ~ ') end')
] %}
{%- set contexts = [
    ('revenue', 'assembled.revenue_lifetime', 'assembled.is_customer'),
    ('health', 'assembled.health_score', 'assembled.health_score is not null'),
    ('usage', 'assembled.active_days_28d', 'assembled.is_customer')
] %}

scored as (
    select
        assembled.*,
        case
            when assembled.orders_lifetime > 0
                then ntile(5) over (
                    partition by assembled.orders_lifetime > 0 order by assembled.days_since_last_order desc, assembled.customer_id asc
                )
        end as rfm_recency_score,
        case
            when assembled.orders_lifetime > 0
                then ntile(5) over (partition by assembled.orders_lifetime > 0 order by assembled.orders_lifetime, assembled.customer_id)
        end as rfm_frequency_score,
        case
            when assembled.orders_lifetime > 0
                then ntile(5) over (partition by assembled.orders_lifetime > 0 order by assembled.revenue_lifetime, assembled.customer_id)
        end as rfm_monetary_score,
        {%- for name, column, condition in contexts %}
            {%- for scope in scopes %}
                case
                    when {{ condition }}{% if scope == 'home_region' %} and assembled.home_region is not null{% endif %}
                        then percent_rank() over (partition by assembled.{{ scope }}, {{ condition }} order by {{ column }})
                end as {{ name }}_percentile_in_{{ scope }},
            {%- endfor %}
        {%- endfor %}
        {%- for scope in ['segment', 'home_region'] %}
            {%- set prefix = 'segment' if scope == 'segment' else 'region' %}
            {%- for name, column in benchmarks %}
                case
                    when assembled.{{ scope }} is not null
                        then avg({{ column }}) over (partition by assembled.{{ scope }})
                end as {{ prefix }}_avg_{{ name }}{% if not loop.last or scope == 'segment' %},{% endif %}
            {%- endfor %}
        {%- endfor %}
    from assembled
),

with_scores as (
    select
        scored.*,
        latest_churn_scores.churn_probability as churn_score,
        latest_churn_scores.risk_band as churn_risk_band,
        latest_churn_scores.top_reasons as churn_top_reasons,
        latest_churn_scores.model_version as churn_model_version,
        top_recommendations.propensity as upsell_score,
        top_recommendations.subcategory as upsell_recommendation,
        top_recommendations.reason as upsell_reason,
        latest_churn_scores.scored_at
    from scored
    left join latest_churn_scores
        on scored.customer_id = latest_churn_scores.customer_id
    left join top_recommendations
        on scored.customer_id = top_recommendations.customer_id
),

final as (
    select
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        street_line,
        postal_code,
        city,
        country_code,
        region,
        home_postal_area,
        home_region,
        home_region_name,
        home_country_code,
        {{ c360.round_double('home_latitude', 4) }} as home_latitude,
        {{ c360.round_double('home_longitude', 4) }} as home_longitude,
        geocode_match_level,
        nearest_store_id,
        {{ c360.round_double('nearest_store_km', 1) }} as nearest_store_km,
        account_id,
        account_type,
        segment,
        industry,
        record_count,
        source_count,
        lifecycle_stage,
        lifecycle_stage_entered_at,
        is_customer,
        first_seen_at,
        last_seen_at,
        first_purchase_at,
        tenure_days,
        times_churned,
        times_reactivated,
        last_churned_at,
        acquisition_channel,
        acquisition_campaign_id,
        cast(orders_lifetime as {{ dbt.type_int() }}) as orders_lifetime,
        cast(orders_364d as {{ dbt.type_int() }}) as orders_364d,
        cast(revenue_lifetime as decimal(18, 2)) as revenue_lifetime,
        cast(revenue_364d as decimal(18, 2)) as revenue_364d,
        {{ c360.round_double('average_order_value', 2) }} as average_order_value,
        last_order_date,
        days_since_last_order,
        cast(rfm_recency_score as {{ dbt.type_int() }}) as rfm_recency_score,
        cast(rfm_frequency_score as {{ dbt.type_int() }}) as rfm_frequency_score,
        cast(rfm_monetary_score as {{ dbt.type_int() }}) as rfm_monetary_score,
        case
            when rfm_recency_score is not null
                then {{ dbt.concat([
                    dbt.safe_cast('rfm_recency_score', dbt.type_string()),
                    dbt.safe_cast('rfm_frequency_score', dbt.type_string()),
                    dbt.safe_cast('rfm_monetary_score', dbt.type_string())
                ]) }}
        end as rfm_segment,
        {%- for channel in order_channels %}
            cast(orders_{{ channel }} as {{ dbt.type_int() }}) as orders_{{ channel }},
        {%- endfor %}
        cast(products_owned as {{ dbt.type_int() }}) as products_owned,
        cast(categories_owned as {{ dbt.type_int() }}) as categories_owned,
        top_category,
        current_plan_code,
        cast(active_subscriptions as {{ dbt.type_int() }}) as active_subscriptions,
        cast(subscriptions_lifetime as {{ dbt.type_int() }}) as subscriptions_lifetime,
        cast(mrr as decimal(18, 2)) as mrr,
        cast(failed_payments_lifetime as {{ dbt.type_int() }}) as failed_payments_lifetime,
        cast(failed_payments_91d as {{ dbt.type_int() }}) as failed_payments_91d,
        cast(refunds_lifetime as {{ dbt.type_int() }}) as refunds_lifetime,
        cast(active_days_7d as {{ dbt.type_int() }}) as active_days_7d,
        cast(active_days_28d as {{ dbt.type_int() }}) as active_days_28d,
        cast(active_days_91d as {{ dbt.type_int() }}) as active_days_91d,
        {{ c360.round_double('usage_trend', 2) }} as usage_trend,
        last_active_date,
        days_since_last_activity,
        cast(tickets_lifetime as {{ dbt.type_int() }}) as tickets_lifetime,
        cast(tickets_28d as {{ dbt.type_int() }}) as tickets_28d,
        cast(open_tickets as {{ dbt.type_int() }}) as open_tickets,
        cast(escalations_lifetime as {{ dbt.type_int() }}) as escalations_lifetime,
        {{ c360.round_double('avg_days_to_resolve', 2) }} as avg_days_to_resolve,
        cast(nps_responses as {{ dbt.type_int() }}) as nps_responses,
        {{ c360.round_double('nps', 2) }} as nps,
        latest_nps_score,
        latest_nps_category,
        cast(csat_responses as {{ dbt.type_int() }}) as csat_responses,
        {{ c360.round_double('csat', 2) }} as csat,
        latest_csat_score,
        cast(claims_lifetime as {{ dbt.type_int() }}) as claims_lifetime,
        cast(social_mentions_lifetime as {{ dbt.type_int() }}) as social_mentions_lifetime,
        cast(social_mentions_91d as {{ dbt.type_int() }}) as social_mentions_91d,
        cast(marketing_sends_91d as {{ dbt.type_int() }}) as marketing_sends_91d,
        cast(marketing_opens_91d as {{ dbt.type_int() }}) as marketing_opens_91d,
        cast(marketing_clicks_91d as {{ dbt.type_int() }}) as marketing_clicks_91d,
        {{ c360.round_double('marketing_open_rate_91d', 4) }} as marketing_open_rate_91d,
        has_unsubscribed,
        {%- for purpose in consent_purposes %}
            {{ purpose }}_consent,
        {%- endfor %}
        health_score,
        health_band,
        {%- for group in groups %}
            health_{{ group }}_points,
        {%- endfor %}
        health_score_before,
        {{ c360.round_double('health_trend', 2) }} as health_trend,
        distress_index,
        distress_top_reasons,
        distress_reason_1,
        distress_reason_2,
        distress_reason_3,
        cast(texts_recent as {{ dbt.type_int() }}) as texts_recent,
        sentiment_recent,
        sentiment_trend,
        cast(negative_texts_recent as {{ dbt.type_int() }}) as negative_texts_recent,
        cast(cancellation_intent_recent as {{ dbt.type_int() }}) as cancellation_intent_recent,
        cancellation_intent_recent > 0 as has_cancellation_intent,
        top_topics,
        {%- for name, column, condition in contexts %}
            {%- for scope in scopes %}
                {{ c360.round_double(name ~ '_percentile_in_' ~ scope, 4) }} as {{ name }}_percentile_in_{{ scope }},
            {%- endfor %}
        {%- endfor %}
        {%- for prefix in ['segment', 'region'] %}
            {%- for name, column in benchmarks %}
                {{ c360.round_double(prefix ~ '_avg_' ~ name, 2) }} as {{ prefix }}_avg_{{ name }},
            {%- endfor %}
        {%- endfor %}
        {{ c360.round_double('health_score - segment_avg_health_score', 2) }} as health_score_vs_segment,
        {{ c360.round_double('health_score - region_avg_health_score', 2) }} as health_score_vs_region,
        churn_score,
        churn_risk_band,
        churn_top_reasons,
        churn_model_version,
        upsell_score,
        upsell_recommendation,
        upsell_reason,
        scored_at,
        cast('{{ c360.as_of_date_text() }}' as date) as as_of_date
    from with_scores
)

select * from final
