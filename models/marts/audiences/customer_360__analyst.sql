{{ config(materialized='table', grants=c360.audience_grants('analyst')) }}
{#- customer_360 as the analyst audience sees it (var c360_privacy). -#}
{{ c360.audience_view('customer_360', 'analyst') }}
