{{ config(materialized='table', enabled=c360.source_enabled('commerce'), grants=c360.audience_grants('data_science')) }}
{#- fct_orders as the data_science audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_orders', 'data_science') }}
