with

base as (
    select * from {{ ref('base_crm__leads') }}
    where dq_rule is null
),

final as (
    select
        lead_id,
        first_name,
        last_name,
        email,
        is_valid_email,
        phone,
        company,
        lead_source,
        status,
        created_at,
        converted_at,
        converted_contact_id,
        loaded_at
    from base
)

select * from final
