{{ config(materialized='table', grants=c360.audience_grants('executive')) }}
{#- customer_360 as the executive audience sees it (var c360_privacy). -#}
{{ c360.audience_view('customer_360', 'executive') }}
