{#-
    The nearest store open on the as-of date to every geocoded customer,
    by great-circle distance (macro haversine_km) between the customer's
    postal-area centre and the store. Customers × open stores is small (a
    few dozen stores), so a cross join is enough.
-#}

with

customers as (
    select * from {{ ref('int_customers__geocoded') }}
    where latitude is not null
),

stores as (
    select * from {{ ref('int_stores__geocoded') }}
    where is_open and latitude is not null
),

distances as (
    select
        customers.customer_id,
        stores.store_id,
        stores.country_code as store_country_code,
        {{ c360.haversine_km('customers.latitude', 'customers.longitude', 'stores.latitude', 'stores.longitude') }}
            as distance_km
    from customers
    cross join stores
),

ranked as (
    select
        customer_id,
        store_id,
        store_country_code,
        distance_km,
        row_number() over (partition by customer_id order by distance_km, store_id) as distance_rank
    from distances
),

final as (
    select
        customer_id,
        store_id as nearest_store_id,
        store_country_code as nearest_store_country_code,
        distance_km as nearest_store_km
    from ranked
    where distance_rank = 1
)

select * from final
