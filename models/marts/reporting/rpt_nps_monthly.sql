{#- NPS and CSAT per month and segment from every answer known as of the
    build's as-of date: NPS = % promoters (9-10) - % detractors (0-6);
    CSAT = % of answers of 4 or 5 on 1-5. -#}
{%- set double = c360.type_double() -%}

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where touchpoint_type = 'survey_response'
),

customers as (
    select * from {{ ref('dim_customers') }}
),

answers as (
    select
        cast({{ dbt.date_trunc('month', 'touchpoints.occurred_at') }} as date) as month_start,
        customers.segment,
        touchpoints.status as survey_type,
        touchpoints.score
    from touchpoints
    inner join customers
        on touchpoints.customer_id = customers.customer_id
),

monthly as (
    select
        month_start,
        segment,
        sum(case when survey_type = 'nps' then 1 else 0 end) as nps_responses,
        sum(case when survey_type = 'nps' and score >= 9 then 1 else 0 end) as nps_promoters,
        sum(case when survey_type = 'nps' and score between 7 and 8 then 1 else 0 end) as nps_passives,
        sum(case when survey_type = 'nps' and score <= 6 then 1 else 0 end) as nps_detractors,
        sum(case when survey_type = 'csat' then 1 else 0 end) as csat_responses,
        sum(case when survey_type = 'csat' and score >= 4 then 1 else 0 end) as csat_satisfied
    from answers
    group by month_start, segment
),

final as (
    select
        {{ dbt.concat([dbt.safe_cast('month_start', dbt.type_string()), "':'", 'segment']) }} as nps_month_id,
        month_start,
        segment,
        cast(nps_responses as {{ dbt.type_int() }}) as nps_responses,
        cast(nps_promoters as {{ dbt.type_int() }}) as nps_promoters,
        cast(nps_passives as {{ dbt.type_int() }}) as nps_passives,
        cast(nps_detractors as {{ dbt.type_int() }}) as nps_detractors,
        case
            when nps_responses > 0
                then {{ c360.round_double('100.0 * cast(nps_promoters - nps_detractors as ' ~ double ~ ') / nps_responses', 2) }}
        end as nps,
        cast(csat_responses as {{ dbt.type_int() }}) as csat_responses,
        cast(csat_satisfied as {{ dbt.type_int() }}) as csat_satisfied,
        case
            when csat_responses > 0
                then {{ c360.round_double('100.0 * cast(csat_satisfied as ' ~ double ~ ') / csat_responses', 2) }}
        end as csat
    from monthly
)

select * from final
