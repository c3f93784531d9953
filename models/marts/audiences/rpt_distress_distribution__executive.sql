{{ config(materialized='table', grants=c360.audience_grants('executive')) }}
{#- rpt_distress_distribution as the executive audience sees it: cells of fewer than c360_privacy.small_cell_k customers left out. -#}
{{ c360.audience_view('rpt_distress_distribution', 'executive') }}
