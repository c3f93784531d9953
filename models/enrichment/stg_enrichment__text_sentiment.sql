{#- The sentiment rows `c360 enrich` wrote: one per text and content enriched. -#}
select * from {{ source('enrichment', 'text_sentiment') }}
