{#-
    One row per home region (ISO 3166-2) as of the build's as-of date, for
    BI maps: customers homed there (customer_360.home_region) with their
    revenue, NPS, churn, health and distress; completed orders placed there
    (int_orders__geocoded: the store's region, else the shipping address's)
    split in store, online (web and app) and other (phone, partner); open
    stores; and the region's centre. Customers and orders that did not
    geocode are left out (see rpt_geocode_coverage). Revenue, orders and
    stores come from the commerce source: without it they are unknown
    (null, not 0) and the regions are those of the customers.
-#}
{%- set double = c360.type_double() -%}
{%- set commerce = c360.source_enabled('commerce') -%}
{%- set commerce_zero = '0' if commerce else 'null' -%}

with

customers as (
    select * from {{ ref('customer_360') }}
    where home_region is not null
),

customer_regions as (
    select
        home_region as region_id,
        home_country_code as country_code,
        home_region_name as region_name,
        count(*) as people,
        sum(case when is_customer then 1 else 0 end) as customers,
        sum(case when lifecycle_stage in ('new_customer', 'active', 'at_risk', 'reactivated') then 1 else 0 end)
            as active_customers,
        sum(case when lifecycle_stage = 'churned' then 1 else 0 end) as churned_customers,
        {%- if commerce %}
            sum(revenue_lifetime) as revenue_lifetime,
            sum(revenue_364d) as revenue_364d,
        {%- else %}
            cast(null as decimal(18, 2)) as revenue_lifetime,
            cast(null as decimal(18, 2)) as revenue_364d,
        {%- endif %}
        sum(case when latest_nps_category is not null then 1 else 0 end) as nps_respondents,
        sum(case when latest_nps_category = 'promoter' then 1 else 0 end) as nps_promoters,
        sum(case when latest_nps_category = 'detractor' then 1 else 0 end) as nps_detractors,
        avg(health_score) as mean_health_score,
        avg(case when is_customer then cast(distress_index as {{ double }}) end) as mean_distress_index,
        avg(nearest_store_km) as mean_nearest_store_km,
        avg(home_latitude) as customer_latitude,
        avg(home_longitude) as customer_longitude
    from customers
    group by home_region, home_country_code, home_region_name
),

{% if commerce %}
    orders as (
        select * from {{ ref('fct_orders') }}
        where is_completed
    ),

    order_locations as (
        select
            *,
            {{ dbt.concat(['country_code', "'-'", 'region_code']) }} as region_id
        from {{ ref('int_orders__geocoded') }}
        where region_code is not null
    ),

    stores as (
        select
            *,
            {{ dbt.concat(['country_code', "'-'", 'region_code']) }} as region_id
        from {{ ref('int_stores__geocoded') }}
        where is_open and region_code is not null
    ),

    order_regions as (
        select
            order_locations.region_id,
            order_locations.country_code,
            order_locations.region_name,
            count(*) as orders_completed,
            sum(case when order_locations.is_in_store then 1 else 0 end) as orders_in_store,
            sum(case when orders.channel in ('web', 'app') then 1 else 0 end) as orders_online,
            avg(order_locations.latitude) as order_latitude,
            avg(order_locations.longitude) as order_longitude
        from order_locations
        inner join orders
            on order_locations.order_id = orders.order_id
        group by order_locations.region_id, order_locations.country_code, order_locations.region_name
    ),

    store_regions as (
        select
            region_id,
            country_code,
            region_name,
            count(*) as open_stores
        from stores
        group by region_id, country_code, region_name
    ),
{% else %}
order_regions as (
    select
        cast(null as {{ dbt.type_string() }}) as region_id,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as region_name,
        0 as orders_completed,
        0 as orders_in_store,
        0 as orders_online,
        cast(null as {{ double }}) as order_latitude,
        cast(null as {{ double }}) as order_longitude
    where 1 = 0
),

store_regions as (
    select
        cast(null as {{ dbt.type_string() }}) as region_id,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as region_name,
        0 as open_stores
    where 1 = 0
),
{% endif %}

regions as (
    {%- for part in ['customer_regions', 'order_regions', 'store_regions'] %}
        select
            region_id,
            country_code,
            region_name
        from {{ part }}
        {%- if not loop.last %}
            union
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        regions.region_id,
        regions.country_code,
        regions.region_name,
        cast(coalesce(customer_regions.customers, 0) as {{ dbt.type_int() }}) as customers,
        cast(coalesce(customer_regions.active_customers, 0) as {{ dbt.type_int() }}) as active_customers,
        cast(
            case
                when customer_regions.customers > 0
                    then cast(customer_regions.churned_customers as {{ double }}) / customer_regions.customers
            end as {{ double }}
        ) as churn_rate,
        cast(coalesce(customer_regions.revenue_lifetime, {{ commerce_zero }}) as decimal(18, 2)) as revenue_lifetime,
        cast(coalesce(customer_regions.revenue_364d, {{ commerce_zero }}) as decimal(18, 2)) as revenue_364d,
        cast(coalesce(customer_regions.nps_respondents, 0) as {{ dbt.type_int() }}) as nps_respondents,
        {{ c360.round_double(
            'case when customer_regions.nps_respondents > 0 then 100.0 * cast(customer_regions.nps_promoters'
            ~ ' - customer_regions.nps_detractors as ' ~ double ~ ') / customer_regions.nps_respondents end', 2) }}
            as nps,
        {{ c360.round_double('customer_regions.mean_health_score', 2) }} as mean_health_score,
        {{ c360.round_double('customer_regions.mean_distress_index', 2) }} as mean_distress_index,
        {{ c360.round_double('customer_regions.mean_nearest_store_km', 1) }} as mean_nearest_store_km,
        cast(coalesce(order_regions.orders_completed, {{ commerce_zero }}) as {{ dbt.type_int() }}) as orders_completed,
        {{ c360.round_double(
            'case when order_regions.orders_completed > 0 then cast(order_regions.orders_in_store as '
            ~ double ~ ') / order_regions.orders_completed end', 4) }} as in_store_order_share,
        {{ c360.round_double(
            'case when order_regions.orders_completed > 0 then cast(order_regions.orders_online as '
            ~ double ~ ') / order_regions.orders_completed end', 4) }} as online_order_share,
        cast(coalesce(store_regions.open_stores, {{ commerce_zero }}) as {{ dbt.type_int() }}) as open_stores,
        {{ c360.round_double('coalesce(customer_regions.customer_latitude, order_regions.order_latitude)', 4) }}
            as latitude,
        {{ c360.round_double('coalesce(customer_regions.customer_longitude, order_regions.order_longitude)', 4) }}
            as longitude,
        cast('{{ c360.as_of_date_text() }}' as date) as as_of_date
    from regions
    left join customer_regions
        on regions.region_id = customer_regions.region_id
    left join order_regions
        on regions.region_id = order_regions.region_id
    left join store_regions
        on regions.region_id = store_regions.region_id
)

select * from final
