with

base as (
    select * from {{ ref('base_feedback__claims') }}
    where dq_rule is null
),

final as (
    select
        claim_id,
        claim_type,
        claimant_first_name,
        claimant_last_name,
        claimant_phone,
        claimant_birth_date,
        claimant_street,
        claimant_street_normalised,
        claimant_city,
        claimant_postal_code,
        claimant_country_code,
        product_id,
        order_id,
        description,
        amount_claimed,
        status,
        filed_at,
        decided_at,
        loaded_at
    from base
)

select * from final
