{{ config(enabled=c360.source_enabled('feedback')) }}
{#- One row per NPS or CSAT answer given by the as-of date. -#}
{%- set as_of_at = c360.as_of_at() -%}

with

responses as (
    select * from {{ ref('stg_feedback__survey_responses') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
    where source_name = 'feedback' and table_name = 'survey_responses'
),

final as (
    select
        responses.response_id,
        identity_map.customer_id,
        responses.survey_type,
        responses.survey_channel,
        cast(responses.score as {{ dbt.type_int() }}) as score,
        responses.nps_category,
        responses.is_csat_satisfied,
        responses.ticket_id,
        responses.comment is not null and responses.comment <> '' as has_comment,
        responses.responded_at,
        cast({{ dbt.date_trunc('day', 'responses.responded_at') }} as date) as responded_date
    from responses
    inner join identity_map
        on responses.response_id = identity_map.record_id
    where
        responses.score is not null
        and responses.responded_at < {{ as_of_at }}
        and (responses.loaded_at is null or responses.loaded_at < {{ as_of_at }})
)

select * from final
