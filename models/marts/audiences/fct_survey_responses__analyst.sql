{{ config(materialized='table', enabled=c360.source_enabled('feedback'), grants=c360.audience_grants('analyst')) }}
{#- fct_survey_responses as the analyst audience sees it (var c360_privacy). -#}
{{ c360.audience_view('fct_survey_responses', 'analyst') }}
