{{ config(**c360.incremental_event_config('order_id')) }}

with

base as (
    select * from {{ ref('base_commerce__orders') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_commerce__orders'), 'order_id') }}
),

final as (
    select
        order_id,
        channel,
        store_id,
        partner_name,
        web_customer_id,
        loyalty_number,
        customer_email,
        is_valid_customer_email,
        customer_phone,
        customer_first_name,
        customer_last_name,
        ship_street,
        ship_street_normalised,
        ship_city,
        ship_postal_code,
        ship_country_code,
        ordered_at,
        cast(ordered_at as date) as ordered_date,
        ordered_local_date,
        currency,
        order_total,
        status,
        loaded_at
    from base
)

select * from final
