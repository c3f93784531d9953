{#- Customers per distress band (steps of 20 points) and leading reason on
    the as-of date. Only customers who bought. -#}

with

customers as (
    select * from {{ ref('customer_360') }}
    where is_customer
),

banded as (
    select
        case
            when distress_index >= 80 then '80-100'
            when distress_index >= 60 then '60-80'
            when distress_index >= 40 then '40-60'
            when distress_index >= 20 then '20-40'
            else '0-20'
        end as distress_band,
        coalesce(distress_reason_1, 'none') as leading_reason,
        distress_index,
        health_score
    from customers
),

final as (
    select
        {{ dbt.concat(['distress_band', "':'", 'leading_reason']) }} as distress_distribution_id,
        distress_band,
        leading_reason,
        cast(count(*) as {{ dbt.type_int() }}) as customers,
        {{ c360.round_double('avg(distress_index)', 2) }} as avg_distress_index,
        {{ c360.round_double('avg(health_score)', 2) }} as avg_health_score
    from banded
    group by distress_band, leading_reason
)

select * from final
