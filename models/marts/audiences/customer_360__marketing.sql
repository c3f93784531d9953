{{ config(materialized='table', grants=c360.audience_grants('marketing')) }}
{#- customer_360 as the marketing audience sees it (var c360_privacy). -#}
{{ c360.audience_view('customer_360', 'marketing') }}
