{#-
    Every free text of var c360_text.sources known as of the build's as-of
    date, one row per text: the customer whose record it belongs to (through
    customer_identity_map), when it was written, and the sentiment and
    cancellation intent `c360 enrich` found in its current content (null and
    false until the text is enriched; a text changed since it was enriched
    shows nothing until it is enriched again).
-#}
{%- set as_of_at = c360.as_of_at() -%}
{%- set sources = c360.text_sources() -%}
{%- set text_type = dbt.type_string() %}

with

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

sentiment as (
    select * from {{ ref('stg_enrichment__text_sentiment') }}
),

topics as (
    select * from {{ ref('stg_enrichment__text_topics') }}
),
{% for source in sources %}
    {{ source.model }} as (
        select * from {{ ref(source.model) }}
    ),
{% endfor %}

texts as (
    {%- for source in sources %}
        select
            '{{ source.key }}' as source_table,
            cast({{ source.record_id }} as {{ text_type }}) as record_id,
            {{ c360.identity_record_key(source.identity.table, 'cast(' ~ source.identity.record_id ~ ' as ' ~ text_type ~ ')') }}
                as identity_record_key,
            {{ source.written_at }} as written_at,
            {{ c360.text_content_hash(source.text) }} as content_hash
        from {{ source.model }}
        where
            {{ source.record_id }} is not null
            and {{ source.text }} is not null
            and trim({{ source.text }}) <> ''
            and {{ source.written_at }} < {{ as_of_at }}
            and (loaded_at is null or loaded_at < {{ as_of_at }})
            {%- if source.where %}
                and ({{ source.where }})
            {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if sources | length == 0 %}
        select
            cast(null as {{ text_type }}) as source_table,
            cast(null as {{ text_type }}) as record_id,
            cast(null as {{ text_type }}) as identity_record_key,
            cast(null as {{ dbt.type_timestamp() }}) as written_at,
            cast(null as {{ text_type }}) as content_hash
        where 1 = 0
    {%- endif %}
),

latest_sentiment as (
    -- one row per text and content, should a run have been repeated
    select
        source_table,
        record_id,
        content_hash,
        sentiment_score,
        sentiment_label,
        row_number() over (
            partition by source_table, record_id, content_hash order by enriched_at desc
        ) as enrichment_rank
    from sentiment
),

cancellation as (
    select distinct
        source_table,
        record_id,
        content_hash
    from topics
    where topic = 'cancellation_intent'
),

final as (
    select
        {{ dbt.concat(['texts.source_table', "':'", 'texts.record_id']) }} as text_id,
        texts.source_table,
        texts.record_id,
        identity_map.customer_id,
        texts.written_at,
        cast({{ dbt.date_trunc('day', 'texts.written_at') }} as date) as written_date,
        texts.content_hash,
        latest_sentiment.sentiment_score is not null as is_enriched,
        cast(latest_sentiment.sentiment_score as {{ c360.type_double() }}) as sentiment_score,
        latest_sentiment.sentiment_label,
        cancellation.record_id is not null as has_cancellation_intent
    from texts
    left join identity_map
        on texts.identity_record_key = identity_map.record_key
    left join latest_sentiment
        on
            texts.source_table = latest_sentiment.source_table
            and texts.record_id = latest_sentiment.record_id
            and texts.content_hash = latest_sentiment.content_hash
            and latest_sentiment.enrichment_rank = 1
    left join cancellation
        on
            texts.source_table = cancellation.source_table
            and texts.record_id = cancellation.record_id
            and texts.content_hash = cancellation.content_hash
)

select * from final
