{{ config(enabled=c360.source_enabled('social')) }}
{#- The share of voice counts every staged mention posted and loaded by the
    as-of date, and each enriched one once: a row is a count that differs. -#}
{%- set as_of_at = c360.as_of_at() %}

with

staged as (
    select count(*) as mentions
    from {{ ref('stg_social__mentions') }}
    where posted_at < {{ as_of_at }} and (loaded_at is null or loaded_at < {{ as_of_at }})
),

enriched as (
    select count(*) as mentions
    from {{ ref('int_texts__enriched') }}
    where source_table = 'social.mentions' and is_enriched
),

reported as (
    select
        sum(mentions) as mentions,
        sum(enriched_mentions) as enriched_mentions
    from {{ ref('fct_share_of_voice') }}
)

select
    staged.mentions as staged_mentions,
    enriched.mentions as enriched_mentions,
    reported.mentions as reported_mentions,
    reported.enriched_mentions as reported_enriched_mentions
from staged
cross join enriched
cross join reported
where
    staged.mentions <> coalesce(reported.mentions, 0)
    or enriched.mentions <> coalesce(reported.enriched_mentions, 0)
