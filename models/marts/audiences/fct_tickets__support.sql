{{ config(materialized='table', enabled=c360.source_enabled('support'), grants=c360.audience_grants('support')) }}
{#- fct_tickets as the support audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_tickets', 'support') }}
