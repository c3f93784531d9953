with

base as (
    select * from {{ ref('base_crm__accounts') }}
    where dq_rule is null
),

final as (
    select
        account_id,
        account_name,
        account_type,
        segment,
        industry,
        country_code,
        created_at,
        updated_at,
        loaded_at
    from base
)

select * from final
