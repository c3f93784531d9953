with

base as (
    select * from {{ ref('base_commerce__stores') }}
    where dq_rule is null
),

final as (
    select
        store_id,
        store_name,
        store_type,
        street,
        street_normalised,
        city,
        postal_code,
        country_code,
        region,
        latitude,
        longitude,
        opened_at,
        closed_at,
        loaded_at
    from base
)

select * from final
