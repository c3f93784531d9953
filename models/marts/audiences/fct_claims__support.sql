{{ config(materialized='table', enabled=c360.source_enabled('feedback'), grants=c360.audience_grants('support')) }}
{#- fct_claims as the support audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_claims', 'support') }}
