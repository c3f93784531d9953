with

base as (
    select * from {{ ref('base_privacy__consents') }}
    where dq_rule is null
),

final as (
    select
        consent_id,
        subject_email,
        is_valid_subject_email,
        subject_phone,
        purpose,
        status,
        source_system,
        recorded_at,
        loaded_at
    from base
)

select * from final
