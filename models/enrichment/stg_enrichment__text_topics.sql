{#- The topic tags `c360 enrich` wrote: one per text, content and topic. -#}
select * from {{ source('enrichment', 'text_topics') }}
