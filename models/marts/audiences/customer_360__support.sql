{{ config(materialized='table', grants=c360.audience_grants('support')) }}
{#- customer_360 as the support audience sees it (var c360_privacy). -#}
{{ c360.audience_view('customer_360', 'support') }}
