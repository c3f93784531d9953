{{ config(enabled=c360.source_enabled('social')) }}
{#- A row is a month, platform and region whose brands' shares of voice do
    not sum to 1. -#}
select
    month_start,
    platform,
    region,
    sum(share_of_voice) as total_share
from {{ ref('fct_share_of_voice') }}
group by month_start, platform, region
having abs(sum(share_of_voice) - 1.0) > 0.0001
