{{ config(materialized='table', grants=c360.audience_grants('data_science')) }}
{#- fct_touchpoints as the data_science audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_touchpoints', 'data_science') }}
