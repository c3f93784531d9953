with

source as (
    select {{ c360.raw_columns('commerce', 'order_lines') }}
    from {{ source('commerce', 'order_lines') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.order_line_id') }} as order_line_id,
        {{ c360.clean_id('source.order_id') }} as order_id,
        {{ c360.clean_id('source.product_id') }} as product_id,
        source.quantity,
        {{ c360.try_cast_decimal('source.unit_price') }} as unit_price,
        {{ c360.try_cast_decimal('source.discount_amount') }} as discount_amount,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.order_line_id'),
            c360.rule_text_values('commerce', 'order_lines'),
            c360.rule_unparseable_timestamp(['_loaded_at']),
            c360.rule_implausible_date(['_loaded_at']),
            c360.rule_non_numeric_amount(['unit_price', 'discount_amount']),
            c360.rule_negative_amount(['unit_price', 'discount_amount']),
            "when source.quantity is null or source.quantity <= 0 then 'invalid_quantity'",
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='order_line_id') }}
)

select * from final
where {{ c360.not_erased('commerce.order_lines') }}
