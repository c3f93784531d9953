{#- The churn scores table as `c360 score` wrote it. -#}
select * from {{ source('scores', 'churn_scores') }}
