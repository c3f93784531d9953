{#- The public touchpoint stream: every touchpoint of every customer as of
    the build's as-of date (int_touchpoints__unioned). -#}

with

touchpoints as (
    select * from {{ ref('int_touchpoints__unioned') }}
),

final as (
    select
        touchpoint_id,
        customer_id,
        occurred_at,
        occurred_date,
        ended_at,
        source_name,
        table_name,
        record_id,
        touchpoint_type,
        channel,
        direction,
        value_amount,
        status,
        detail,
        score,
        is_escalated
    from touchpoints
)

select * from final
