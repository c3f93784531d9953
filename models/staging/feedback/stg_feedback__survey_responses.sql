{{ config(**c360.incremental_event_config('response_id')) }}

with

base as (
    select * from {{ ref('base_feedback__survey_responses') }}
    where dq_rule is null {{ c360.incremental_event_filter(ref('base_feedback__survey_responses'), 'response_id') }}
),

final as (
    select
        response_id,
        survey_type,
        survey_channel,
        respondent_email,
        is_valid_respondent_email,
        respondent_phone,
        ticket_id,
        score,
        case
            when survey_type = 'nps' and score between 9 and 10 then 'promoter'
            when survey_type = 'nps' and score between 7 and 8 then 'passive'
            when survey_type = 'nps' and score between 0 and 6 then 'detractor'
        end as nps_category,
        case
            when survey_type = 'csat' then score in (4, 5)
        end as is_csat_satisfied,
        comment,
        responded_at,
        loaded_at
    from base
)

select * from final
