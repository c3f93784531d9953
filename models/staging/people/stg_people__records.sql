with

base as (
    select * from {{ ref('base_people__records') }}
    where dq_rule is null
),

final as (
    select
        record_id,
        source_system,
        first_name,
        last_name,
        email,
        is_valid_email,
        phone,
        birth_date,
        is_valid_birth_date,
        street,
        street_normalised,
        postal_code,
        city,
        country_code,
        customer_number,
        recorded_at,
        loaded_at
    from base
)

select * from final
