{#-
    Every store's location: the coordinates the store register gives
    (match_level source_coordinates), else its postal area's centre. The
    region always comes from the postal area so that stores, customers and
    orders roll up to the same regions.
-#}
{%- set as_of_at = c360.as_of_at() -%}

with

stores as (
    select * from {{ ref('stg_commerce__stores') }}
),

postal_areas as (
    select * from {{ ref('postal_areas') }}
),

keyed as (
    select
        store_id,
        store_name,
        postal_code,
        country_code,
        latitude,
        longitude,
        opened_at,
        closed_at,
        {{ c360.postal_area('postal_code', 'country_code') }} as postal_area
    from stores
),

final as (
    select
        keyed.store_id,
        keyed.store_name,
        keyed.postal_code,
        keyed.country_code,
        keyed.postal_area,
        postal_areas.region_code,
        postal_areas.region_name,
        coalesce(keyed.latitude, postal_areas.latitude) as latitude,
        coalesce(keyed.longitude, postal_areas.longitude) as longitude,
        case
            when keyed.latitude is not null and keyed.longitude is not null then 'source_coordinates'
            else {{ c360.postal_match_level('keyed.postal_code', 'keyed.country_code', 'keyed.postal_area',
                'postal_areas.postal_area') }}
        end as match_level,
        keyed.opened_at,
        keyed.closed_at,
        (keyed.opened_at is null or keyed.opened_at <= {{ as_of_at }})
        and (keyed.closed_at is null or keyed.closed_at > {{ as_of_at }}) as is_open
    from keyed
    left join postal_areas
        on
            keyed.country_code = postal_areas.country_code
            and keyed.postal_area = postal_areas.postal_area
)

select * from final
