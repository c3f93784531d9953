{{ config(materialized='table', grants=c360.audience_grants('data_science')) }}
{#- customer_360 as the data_science audience sees it (var c360_privacy). -#}
{{ c360.audience_view('customer_360', 'data_science') }}
