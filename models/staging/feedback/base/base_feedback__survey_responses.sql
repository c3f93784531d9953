{%- set survey_type = c360.clean_code('source.survey_type') -%}
{%- set score = c360.try_cast_integer('trim(source.score)') -%}
{%- set rule_out_of_range_score -%}
    when nullif(trim(source.score), '') is not null
            and (
                not {{ c360.regexp_matches('trim(source.score)', '^[0-9]{1,9}$') }}
                or ({{ survey_type }} = 'nps' and {{ score }} not between 0 and 10)
                or ({{ survey_type }} = 'csat' and {{ score }} not between 1 and 5)
            )
            then 'out_of_range_score'
{%- endset -%}

with

source as (
    select {{ c360.raw_columns('feedback', 'survey_responses') }}
    from {{ source('feedback', 'survey_responses') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.response_id') }} as response_id,
        {{ survey_type }} as survey_type,
        {{ c360.clean_code('source.survey_channel') }} as survey_channel,
        {{ c360.clean_email('source.respondent_email') }} as respondent_email,
        {{ c360.is_valid_email('source.respondent_email') }} as is_valid_respondent_email,
        {{ c360.clean_phone('source.respondent_phone') }} as respondent_phone,
        {{ c360.clean_id('source.ticket_id') }} as ticket_id,
        {{ score }} as score,
        {{ c360.clean_text('source.comment') }} as comment,
        {{ c360.try_cast_timestamp_utc('source.responded_at') }} as responded_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.response_id'),
            c360.rule_text_values('feedback', 'survey_responses'),
            c360.rule_unparseable_timestamp(['responded_at', '_loaded_at']),
            c360.rule_implausible_date(['responded_at', '_loaded_at']),
            c360.rule_future_timestamp(['responded_at']),
            rule_out_of_range_score,
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='response_id') }}
)

select * from final
where {{ c360.not_erased('feedback.survey_responses') }}
