{#- The model runs table as `c360 score` wrote it. -#}
select * from {{ source('scores', 'model_runs') }}
