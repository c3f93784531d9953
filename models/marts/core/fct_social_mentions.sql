{{ config(enabled=c360.source_enabled('social')) }}
{#- One row per social post or review mentioning our brand or a competitor,
    posted by the as-of date, with the customer its author resolves to. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

mentions as (
    select * from {{ ref('stg_social__mentions') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'social' and table_name = 'mentions'
),

final as (
    select
        mentions.mention_id,
        identity_map.customer_id,
        mentions.platform,
        mentions.brand,
        mentions.is_own_brand,
        cast(mentions.like_count as {{ dbt.type_int() }}) as like_count,
        mentions.text as mention_text,
        mentions.posted_at,
        cast({{ dbt.date_trunc('day', 'mentions.posted_at') }} as date) as posted_date
    from mentions
    inner join identity_map
        on mentions.mention_id = identity_map.record_id
    where
        mentions.posted_at < {{ as_of_at }}
        and (mentions.loaded_at is null or mentions.loaded_at < {{ as_of_at }})
)

select * from final
