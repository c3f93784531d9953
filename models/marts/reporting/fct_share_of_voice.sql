{{ config(enabled=c360.source_enabled('social')) }}
{#-
    Share of voice: social mentions of our brand (var c360_own_brand) and of
    each competitor per month, platform and region, as of the build's as-of
    date (fct_social_mentions). A mention's brand is read through the seed
    competitors (alias -> competitor), else kept as written; its region is
    the region of the customer its author resolves to (`unknown` otherwise).
    Sentiment comes from `c360 enrich` (mentions not yet enriched count as
    mentions only).
-#}
{%- set own_brand = var('c360_own_brand', 'Alder & Pine') | replace("'", "''") -%}
{%- set double = c360.type_double() %}

with

mentions as (
    select * from {{ ref('fct_social_mentions') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

texts as (
    select * from {{ ref('int_texts__enriched') }}
    where source_table = 'social.mentions'
),

competitors as (
    select * from {{ ref('competitors') }}
),

known as (
    select
        mentions.platform,
        mentions.is_own_brand,
        case
            when mentions.is_own_brand then '{{ own_brand }}'
            else coalesce(competitors.competitor, mentions.brand, 'unknown')
        end as brand,
        coalesce(customers.region, 'unknown') as region,
        cast({{ dbt.date_trunc('month', 'mentions.posted_at') }} as date) as month_start,
        texts.sentiment_score,
        texts.sentiment_label
    from mentions
    left join competitors
        on lower(mentions.brand) = competitors.alias
    left join customers
        on mentions.customer_id = customers.customer_id
    left join texts
        on mentions.mention_id = texts.record_id
),

counted as (
    select
        month_start,
        platform,
        region,
        brand,
        is_own_brand,
        count(*) as mentions,
        sum(case when sentiment_score is not null then 1 else 0 end) as enriched_mentions,
        avg(sentiment_score) as avg_sentiment,
        sum(case when sentiment_label = 'positive' then 1 else 0 end) as positive_mentions,
        sum(case when sentiment_label = 'negative' then 1 else 0 end) as negative_mentions
    from known
    group by month_start, platform, region, brand, is_own_brand
),

final as (
    select
        {{ dbt.concat([
            dbt.safe_cast('month_start', dbt.type_string()), "':'", 'platform', "':'", 'region', "':'", 'brand'
        ]) }} as share_of_voice_id,
        month_start,
        platform,
        region,
        brand,
        is_own_brand,
        cast(mentions as {{ dbt.type_int() }}) as mentions,
        {{ c360.round_double(
            'cast(mentions as ' ~ double ~ ') / sum(mentions) over (partition by month_start, platform, region)', 6
        ) }} as share_of_voice,
        cast(enriched_mentions as {{ dbt.type_int() }}) as enriched_mentions,
        {{ c360.round_double('avg_sentiment', 4) }} as avg_sentiment,
        cast(positive_mentions as {{ dbt.type_int() }}) as positive_mentions,
        cast(negative_mentions as {{ dbt.type_int() }}) as negative_mentions
    from counted
)

select * from final
