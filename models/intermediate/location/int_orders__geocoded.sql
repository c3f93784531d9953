{#-
    Where every order was placed: a store order (store_id set) takes the
    store's location (match_level store); any other order its shipping
    postal code's area. is_in_store splits purchases in store from online.
-#}

with

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

stores as (
    select * from {{ ref('int_stores__geocoded') }}
),

postal_areas as (
    select * from {{ ref('postal_areas') }}
),

keyed as (
    select
        order_id,
        store_id,
        ship_postal_code,
        ship_country_code,
        {{ c360.postal_area('ship_postal_code', 'ship_country_code') }} as postal_area
    from orders
),

final as (
    select
        keyed.order_id,
        keyed.store_id is not null as is_in_store,
        keyed.store_id,
        coalesce(stores.country_code, keyed.ship_country_code) as country_code,
        case when keyed.store_id is not null then stores.postal_area else keyed.postal_area end as postal_area,
        case when keyed.store_id is not null then stores.region_code else postal_areas.region_code end as region_code,
        case when keyed.store_id is not null then stores.region_name else postal_areas.region_name end as region_name,
        case when keyed.store_id is not null then stores.latitude else postal_areas.latitude end as latitude,
        case when keyed.store_id is not null then stores.longitude else postal_areas.longitude end as longitude,
        case
            when keyed.store_id is not null and stores.latitude is not null then 'store'
            when keyed.store_id is not null then 'unknown_store'
            else {{ c360.postal_match_level('keyed.ship_postal_code', 'keyed.ship_country_code', 'keyed.postal_area',
                'postal_areas.postal_area') }}
        end as match_level
    from keyed
    left join stores
        on keyed.store_id = stores.store_id
    left join postal_areas
        on
            keyed.ship_country_code = postal_areas.country_code
            and keyed.postal_area = postal_areas.postal_area
)

select * from final
