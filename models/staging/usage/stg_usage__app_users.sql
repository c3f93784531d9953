with

base as (
    select * from {{ ref('base_usage__app_users') }}
    where dq_rule is null
),

final as (
    select
        user_id,
        email,
        is_valid_email,
        display_name,
        signup_platform,
        created_at,
        loaded_at
    from base
)

select * from final
