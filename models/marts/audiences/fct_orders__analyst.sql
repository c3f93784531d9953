{{ config(materialized='table', enabled=c360.source_enabled('commerce'), grants=c360.audience_grants('analyst')) }}
{#- fct_orders as the analyst audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_orders', 'analyst') }}
