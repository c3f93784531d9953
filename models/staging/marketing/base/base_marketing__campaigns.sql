with

source as (
    select {{ c360.raw_columns('marketing', 'campaigns') }}
    from {{ source('marketing', 'campaigns') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.campaign_id') }} as campaign_id,
        {{ c360.clean_text('source.campaign_name') }} as campaign_name,
        {{ c360.clean_code('source.channel') }} as channel,
        {{ c360.clean_code('source.objective') }} as objective,
        {{ c360.clean_code('source.product_category') }} as product_category,
        {{ c360.try_cast_timestamp_utc('source.launched_at') }} as launched_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.campaign_id'),
            c360.rule_text_values('marketing', 'campaigns'),
            c360.rule_unparseable_timestamp(['launched_at', '_loaded_at']),
            c360.rule_implausible_date(['launched_at', '_loaded_at']),
            c360.rule_future_timestamp(['launched_at']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='campaign_id') }}
)

select * from final
