{{ config(enabled=c360.source_enabled('social')) }}
{#- The share of voice counts every staged mention posted and loaded by the
    as-of date (the mentions of fct_social_mentions), and each enriched one
    once: a row is a count that differs. It reads no staging model, so that
    `dbt build --select staging` does not select it. -#}

with

staged as (
    select count(*) as mentions
    from {{ ref('fct_social_mentions') }}
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
