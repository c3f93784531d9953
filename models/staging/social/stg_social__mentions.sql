{{ config(**c360.incremental_event_config('mention_id')) }}

{%- set own_brand = var('c360_own_brand', 'Alder & Pine') | replace("'", "''") -%}

with

base as (
    select * from {{ ref('base_social__mentions') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_social__mentions'), 'mention_id') }}
),

final as (
    select
        mention_id,
        platform,
        author_handle,
        author_display_name,
        brand,
        coalesce(lower(brand) = lower('{{ own_brand }}'), false) as is_own_brand,
        text,
        posted_at,
        like_count,
        loaded_at
    from base
)

select * from final
