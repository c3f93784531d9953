{#- One row per day, the time spine the semantic layer (MetricFlow) joins
    metrics to; the range covers every date the generator and real sources
    produce, with room to spare. -#}

with

days as (
    {{ dbt.date_spine('day', "cast('2010-01-01' as date)", "cast('2040-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
