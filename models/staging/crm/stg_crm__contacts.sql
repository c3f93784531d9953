with

base as (
    select * from {{ ref('base_crm__contacts') }}
    where dq_rule is null
),

final as (
    select
        contact_id,
        account_id,
        first_name,
        last_name,
        email,
        is_valid_email,
        phone,
        street,
        street_normalised,
        city,
        postal_code,
        country_code,
        birth_date,
        job_title,
        social_handle,
        created_at,
        updated_at,
        loaded_at
    from base
)

select * from final
