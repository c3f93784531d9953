{#- Customers per health band, segment and region on the as-of date, with
    mean health, distress, NPS and CSAT. Only customers who bought. -#}

with

customers as (
    select * from {{ ref('customer_360') }}
    where is_customer
),

final as (
    select
        {{ dbt.concat(["coalesce(health_band, 'unscored')", "':'", 'segment', "':'", 'region']) }}
            as health_distribution_id,
        coalesce(health_band, 'unscored') as health_band,
        segment,
        region,
        cast(count(*) as {{ dbt.type_int() }}) as customers,
        {{ c360.round_double('avg(health_score)', 2) }} as avg_health_score,
        {{ c360.round_double('avg(health_trend)', 2) }} as avg_health_trend,
        {{ c360.round_double('avg(distress_index)', 2) }} as avg_distress_index,
        {{ c360.round_double('avg(nps)', 2) }} as avg_customer_nps,
        {{ c360.round_double('avg(csat)', 2) }} as avg_customer_csat,
        cast(sum(mrr) as decimal(18, 2)) as mrr
    from customers
    group by coalesce(health_band, 'unscored'), segment, region
)

select * from final
