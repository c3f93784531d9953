with

source as (
    select {{ c360.raw_columns('commerce', 'products') }}
    from {{ source('commerce', 'products') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.product_id') }} as product_id,
        {{ c360.clean_id('source.sku') }} as sku,
        {{ c360.clean_text('source.product_name') }} as product_name,
        {{ c360.clean_code('source.category') }} as category,
        {{ c360.clean_code('source.subcategory') }} as subcategory,
        {{ c360.clean_text('source.brand') }} as brand,
        {{ c360.try_cast_decimal('source.list_price') }} as list_price,
        cast(source.is_subscription as {{ dbt.type_boolean() }}) as is_subscription,
        {{ c360.try_cast_timestamp_utc('source.launched_at') }} as launched_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.product_id'),
            c360.rule_text_values('commerce', 'products'),
            c360.rule_unparseable_timestamp(['launched_at', '_loaded_at']),
            c360.rule_implausible_date(['launched_at', '_loaded_at']),
            c360.rule_non_numeric_amount(['list_price']),
            c360.rule_negative_amount(['list_price']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='product_id') }}
)

select * from final
