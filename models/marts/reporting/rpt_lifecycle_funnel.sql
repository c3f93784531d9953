{#- The lifecycle funnel on the as-of date: per stage, the customers who
    ever reached it, those in it now, and the share of everyone seen. -#}
{%- set stages = ['prospect', 'new_customer', 'active', 'at_risk', 'churned', 'reactivated'] -%}
{%- set double = c360.type_double() -%}

with

stage_history as (
    select * from {{ ref('int_customers__lifecycle_stages') }}
),

customers as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('customer_360') }}
),

ever as (
    select
        lifecycle_stage,
        count(distinct customer_id) as customers_ever
    from stage_history
    group by lifecycle_stage
),

now_in as (
    select
        lifecycle_stage,
        count(*) as customers_now
    from customers
    group by lifecycle_stage
),

everyone as (
    select count(*) as customers_seen from customers
),

stage_list as (
    {%- for stage in stages %}
        select
            {{ loop.index }} as stage_order,
            '{{ stage }}' as lifecycle_stage
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        stage_list.lifecycle_stage,
        cast(stage_list.stage_order as {{ dbt.type_int() }}) as stage_order,
        cast(coalesce(ever.customers_ever, 0) as {{ dbt.type_int() }}) as customers_ever,
        cast(coalesce(now_in.customers_now, 0) as {{ dbt.type_int() }}) as customers_now,
        {{ c360.round_double('cast(coalesce(ever.customers_ever, 0) as ' ~ double ~ ') / nullif(everyone.customers_seen, 0)', 4) }}
            as share_of_seen_ever
    from stage_list
    cross join everyone
    left join ever
        on stage_list.lifecycle_stage = ever.lifecycle_stage
    left join now_in
        on stage_list.lifecycle_stage = now_in.lifecycle_stage
)

select * from final
