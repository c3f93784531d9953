with

base as (
    select * from {{ ref('base_privacy__erasure_requests') }}
    where dq_rule is null
),

final as (
    select
        request_id,
        subject_email,
        is_valid_subject_email,
        subject_phone,
        subject_name,
        received_via,
        requested_at,
        status,
        completed_at,
        loaded_at
    from base
)

select * from final
