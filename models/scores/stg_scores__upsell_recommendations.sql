{#- The upsell recommendations table as `c360 score` wrote it. -#}
select * from {{ source('scores', 'upsell_recommendations') }}
