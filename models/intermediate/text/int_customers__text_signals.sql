{#-
    What each customer wrote, as of the build's as-of date: one row per
    customer with at least one enriched text. Recent = the
    c360_text.recent_days days up to the as-of date; prior = the same number
    of days before them. Top topics: the most frequent topics of all the
    customer's enriched texts (ties by name), joined by ', '.
-#}
{%- set settings = var('c360_text', {}) -%}
{%- set recent_days = settings.get('recent_days', 91) -%}
{%- set top_n = settings.get('top_topics', 3) -%}
{%- set double = c360.type_double() -%}
{%- set recent_start = dbt.dateadd('day', -recent_days + 1, c360.as_of_date()) -%}
{%- set prior_start = dbt.dateadd('day', -2 * recent_days + 1, c360.as_of_date()) %}

with

texts as (
    select * from {{ ref('int_texts__enriched') }}
    where customer_id is not null and is_enriched
),

topics as (
    select * from {{ ref('stg_enrichment__text_topics') }}
),

windowed as (
    select
        customer_id,
        sentiment_score,
        sentiment_label,
        has_cancellation_intent,
        written_date >= {{ recent_start }} as is_recent,
        written_date >= {{ prior_start }} and written_date < {{ recent_start }} as is_prior
    from texts
),

signals as (
    select
        customer_id,
        count(*) as texts_lifetime,
        sum(case when is_recent then 1 else 0 end) as texts_recent,
        avg(case when is_recent then sentiment_score end) as sentiment_recent,
        avg(case when is_prior then sentiment_score end) as sentiment_prior,
        sum(case when is_recent and sentiment_label = 'negative' then 1 else 0 end) as negative_texts_recent,
        sum(case when is_recent and has_cancellation_intent then 1 else 0 end) as cancellation_intent_recent
    from windowed
    group by customer_id
),

topic_counts as (
    select
        texts.customer_id,
        topics.topic,
        count(*) as topic_texts
    from texts
    inner join topics
        on
            texts.source_table = topics.source_table
            and texts.record_id = topics.record_id
            and texts.content_hash = topics.content_hash
    group by texts.customer_id, topics.topic
),

top_topics as (
    {{ c360.top_ranked('topic_counts', 'customer_id', 'topic', 'topic_texts desc, topic asc', top_n, 'topic_') }}
),

final as (
    select
        signals.customer_id,
        cast(signals.texts_lifetime as {{ dbt.type_int() }}) as texts_lifetime,
        cast(signals.texts_recent as {{ dbt.type_int() }}) as texts_recent,
        {{ c360.round_double('signals.sentiment_recent', 4) }} as sentiment_recent,
        {{ c360.round_double('signals.sentiment_prior', 4) }} as sentiment_prior,
        {{ c360.round_double('signals.sentiment_recent - signals.sentiment_prior', 4) }} as sentiment_trend,
        cast(signals.negative_texts_recent as {{ dbt.type_int() }}) as negative_texts_recent,
        cast(signals.cancellation_intent_recent as {{ dbt.type_int() }}) as cancellation_intent_recent,
        {{ c360.join_ranked('top_topics.topic_', top_n, ', ') }} as top_topics
    from signals
    left join top_topics
        on signals.customer_id = top_topics.customer_id
)

select * from final
