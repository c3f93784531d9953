{#-
    Every touchpoint of every resolved customer in one stream: one row per
    event in a source (an order, a session, a ticket ...), with the customer
    from customer_identity_map, known as of the build's as-of date. Sources
    switched off (c360_disabled_sources) contribute nothing.
-#}
{%- set as_of_at = c360.as_of_at() -%}
{%- set parts = [] -%}

with

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

{% if c360.source_enabled('commerce') %}
    {%- do parts.append('orders') %}
    orders as (
        select * from {{ ref('stg_commerce__orders') }}
    ),

    orders_touchpoints as (
        select
            'commerce' as source_name,
            'orders' as table_name,
            order_id as record_id,
            {{ c360.identity_record_key('commerce.orders', 'order_id') }} as record_key,
            'order' as touchpoint_type,
            ordered_at as occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            {{ c360.touchpoint_channel('commerce.orders', 'channel') }} as channel,
            'inbound' as direction,
            cast(order_total as decimal(18, 2)) as value_amount,
            status,
            coalesce(store_id, partner_name) as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from orders
    ),
{% endif %}

{% if c360.source_enabled('billing') %}
    {%- do parts.append('subscriptions') %}
    {%- do parts.append('payments') %}
    subscriptions as (
        select * from {{ ref('stg_billing__subscriptions') }}
    ),

    invoices as (
        select * from {{ ref('stg_billing__invoices') }}
    ),

    payments as (
        select * from {{ ref('stg_billing__payments') }}
    ),

    subscriptions_touchpoints as (
        select
            'billing' as source_name,
            'subscriptions' as table_name,
            subscription_id as record_id,
            {{ c360.identity_record_key('billing.subscriptions', 'subscription_id') }} as record_key,
            'subscription' as touchpoint_type,
            started_at as occurred_at,
            case when cancelled_at < {{ as_of_at }} then cancelled_at end as ended_at,
            'web' as channel,
            'inbound' as direction,
            cast(mrr as decimal(18, 2)) as value_amount,
            case
                when status = 'cancelled' and not (cancelled_at < {{ as_of_at }}) then 'active'
                else status
            end as status,
            plan_code as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from subscriptions
    ),

    payments_touchpoints as (
        select
            'billing' as source_name,
            'payments' as table_name,
            payments.payment_id as record_id,
            {{ c360.identity_record_key('billing.subscriptions', 'invoices.subscription_id') }} as record_key,
            'payment' as touchpoint_type,
            payments.attempted_at as occurred_at,
            case when payments.refunded_at < {{ as_of_at }} then payments.refunded_at end as ended_at,
            'web' as channel,
            'inbound' as direction,
            cast(payments.amount as decimal(18, 2)) as value_amount,
            case
                when payments.status = 'refunded' and not (payments.refunded_at < {{ as_of_at }}) then 'succeeded'
                else payments.status
            end as status,
            payments.method as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            payments.loaded_at
        from payments
        inner join invoices
            on payments.invoice_id = invoices.invoice_id
    ),
{% endif %}

{% if c360.source_enabled('usage') %}
    {%- do parts.append('sessions') %}
    sessions as (
        select * from {{ ref('stg_usage__sessions') }}
    ),

    sessions_touchpoints as (
        select
            'usage' as source_name,
            'sessions' as table_name,
            session_id as record_id,
            {{ c360.identity_record_key('usage.devices', 'device_id') }} as record_key,
            'session' as touchpoint_type,
            started_at as occurred_at,
            ended_at,
            {{ c360.touchpoint_channel('usage.sessions', 'platform') }} as channel,
            'inbound' as direction,
            cast(null as decimal(18, 2)) as value_amount,
            cast(null as {{ dbt.type_string() }}) as status,
            utm_source as detail,
            cast(page_views as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from sessions
    ),
{% endif %}

{% if c360.source_enabled('support') %}
    {%- do parts.append('tickets') %}
    tickets as (
        select * from {{ ref('stg_support__tickets') }}
    ),

    tickets_touchpoints as (
        select
            'support' as source_name,
            'tickets' as table_name,
            ticket_id as record_id,
            {{ c360.identity_record_key('support.tickets', 'ticket_id') }} as record_key,
            'support_ticket' as touchpoint_type,
            opened_at as occurred_at,
            case when resolved_at < {{ as_of_at }} then resolved_at end as ended_at,
            {{ c360.touchpoint_channel('support.tickets', 'channel') }} as channel,
            'inbound' as direction,
            cast(null as decimal(18, 2)) as value_amount,
            case
                when resolved_at < {{ as_of_at }} then 'solved'
                else 'open'
            end as status,
            category as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            coalesce(is_escalated, false) as is_escalated,
            loaded_at
        from tickets
    ),
{% endif %}

{% if c360.source_enabled('feedback') %}
    {%- do parts.append('surveys') %}
    {%- do parts.append('claims') %}
    survey_responses as (
        select * from {{ ref('stg_feedback__survey_responses') }}
    ),

    claims as (
        select * from {{ ref('stg_feedback__claims') }}
    ),

    surveys_touchpoints as (
        select
            'feedback' as source_name,
            'survey_responses' as table_name,
            response_id as record_id,
            {{ c360.identity_record_key('feedback.survey_responses', 'response_id') }} as record_key,
            'survey_response' as touchpoint_type,
            responded_at as occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            {{ c360.touchpoint_channel('feedback.survey_responses', 'survey_channel') }} as channel,
            'inbound' as direction,
            cast(null as decimal(18, 2)) as value_amount,
            survey_type as status,
            ticket_id as detail,
            cast(score as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from survey_responses
        where score is not null
    ),

    claims_touchpoints as (
        select
            'feedback' as source_name,
            'claims' as table_name,
            claim_id as record_id,
            {{ c360.identity_record_key('feedback.claims', 'claim_id') }} as record_key,
            'claim' as touchpoint_type,
            filed_at as occurred_at,
            case when decided_at < {{ as_of_at }} then decided_at end as ended_at,
            'web' as channel,
            'inbound' as direction,
            cast(amount_claimed as decimal(18, 2)) as value_amount,
            status,
            claim_type as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from claims
    ),
{% endif %}

{% if c360.source_enabled('social') %}
    {%- do parts.append('mentions') %}
    mentions as (
        select * from {{ ref('stg_social__mentions') }}
    ),

    mentions_touchpoints as (
        select
            'social' as source_name,
            'mentions' as table_name,
            mention_id as record_id,
            {{ c360.identity_record_key('social.mentions', 'mention_id') }} as record_key,
            'social_mention' as touchpoint_type,
            posted_at as occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            'social' as channel,
            'inbound' as direction,
            cast(null as decimal(18, 2)) as value_amount,
            case when is_own_brand then 'own_brand' else 'competitor' end as status,
            platform as detail,
            cast(like_count as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from mentions
    ),
{% endif %}

{% if c360.source_enabled('marketing') %}
    {%- do parts.append('marketing') %}
    touches as (
        select * from {{ ref('stg_marketing__touches') }}
    ),

    campaigns as (
        select * from {{ ref('stg_marketing__campaigns') }}
    ),

    marketing_touchpoints as (
        select
            'marketing' as source_name,
            'touches' as table_name,
            touches.touch_id as record_id,
            {{ c360.identity_record_key('marketing.touches', 'touches.touch_id') }} as record_key,
            {{ dbt.concat(["'marketing_'", 'touches.event_type']) }} as touchpoint_type,
            touches.occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            {{ c360.touchpoint_channel('marketing.touches', "coalesce(campaigns.channel, 'email')") }} as channel,
            case when touches.event_type in ('send', 'bounce') then 'outbound' else 'inbound' end as direction,
            cast(null as decimal(18, 2)) as value_amount,
            touches.event_type as status,
            touches.campaign_id as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            touches.loaded_at
        from touches
        left join campaigns
            on touches.campaign_id = campaigns.campaign_id
    ),
{% endif %}

{% if c360.source_enabled('crm') %}
    {%- do parts.append('leads') %}
    leads as (
        select * from {{ ref('stg_crm__leads') }}
    ),

    leads_touchpoints as (
        select
            'crm' as source_name,
            'leads' as table_name,
            lead_id as record_id,
            {{ c360.identity_record_key('crm.leads', 'lead_id') }} as record_key,
            'lead' as touchpoint_type,
            created_at as occurred_at,
            case when converted_at < {{ as_of_at }} then converted_at end as ended_at,
            {{ c360.touchpoint_channel('crm.leads', 'lead_source') }} as channel,
            'inbound' as direction,
            cast(null as decimal(18, 2)) as value_amount,
            status,
            lead_source as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            loaded_at
        from leads
    ),
{% endif %}

unioned as (
    {%- for part in parts %}
        select * from {{ part }}_touchpoints
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if parts | length == 0 %}
        select
            cast(null as {{ dbt.type_string() }}) as source_name,
            cast(null as {{ dbt.type_string() }}) as table_name,
            cast(null as {{ dbt.type_string() }}) as record_id,
            cast(null as {{ dbt.type_string() }}) as record_key,
            cast(null as {{ dbt.type_string() }}) as touchpoint_type,
            cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as direction,
            cast(null as decimal(18, 2)) as value_amount,
            cast(null as {{ dbt.type_string() }}) as status,
            cast(null as {{ dbt.type_string() }}) as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_at
        where 1 = 0
    {%- endif %}
),

known as (
    select * from unioned
    where
        occurred_at < {{ as_of_at }}
        and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        {{ dbt.concat(['known.source_name', "'.'", 'known.table_name', "':'", 'known.record_id', "'#'", 'known.touchpoint_type']) }}
            as touchpoint_id,
        identity_map.customer_id,
        known.occurred_at,
        cast({{ dbt.date_trunc('day', 'known.occurred_at') }} as date) as occurred_date,
        known.ended_at,
        known.source_name,
        known.table_name,
        known.record_id,
        known.record_key,
        known.touchpoint_type,
        known.channel,
        known.direction,
        known.value_amount,
        known.status,
        known.detail,
        known.score,
        known.is_escalated,
        known.loaded_at
    from known
    inner join identity_map
        on known.record_key = identity_map.record_key
    -- an anonymous record (a device that never logged in) is no customer's
    where identity_map.customer_id is not null
)

select * from final
