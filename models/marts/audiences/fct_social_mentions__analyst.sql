{{ config(materialized='table', enabled=c360.source_enabled('social'), grants=c360.audience_grants('analyst')) }}
{#- fct_social_mentions as the analyst audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_social_mentions', 'analyst') }}
