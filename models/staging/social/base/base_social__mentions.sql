with

source as (
    select {{ c360.raw_columns('social', 'mentions') }}
    from {{ source('social', 'mentions') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.mention_id') }} as mention_id,
        {{ c360.clean_code('source.platform') }} as platform,
        {{ c360.clean_handle('source.author_handle') }} as author_handle,
        {{ c360.clean_text('source.author_display_name') }} as author_display_name,
        {{ c360.clean_text('source.brand') }} as brand,
        {{ c360.clean_text('source.text') }} as text,
        {{ c360.try_cast_timestamp_utc('source.posted_at') }} as posted_at,
        cast(source.like_count as {{ dbt.type_bigint() }}) as like_count,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.mention_id'),
            c360.rule_text_values('social', 'mentions'),
            c360.rule_unparseable_timestamp(['posted_at', '_loaded_at']),
            c360.rule_implausible_date(['posted_at', '_loaded_at']),
            c360.rule_future_timestamp(['posted_at']),
            c360.rule_negative_count(['like_count']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='mention_id') }}
)

select * from final
where {{ c360.not_erased('social.mentions') }}
