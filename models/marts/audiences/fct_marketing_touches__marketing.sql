{{ config(materialized='table', enabled=c360.source_enabled('marketing'), grants=c360.audience_grants('marketing')) }}
{#- fct_marketing_touches as the marketing audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_marketing_touches', 'marketing') }}
