with

source as (
    select {{ c360.raw_columns('commerce', 'orders') }}
    from {{ source('commerce', 'orders') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.order_id') }} as order_id,
        {{ c360.clean_code('source.channel') }} as channel,
        {{ c360.clean_id('source.store_id') }} as store_id,
        {{ c360.clean_text('source.partner_name') }} as partner_name,
        {{ c360.clean_id('source.web_customer_id') }} as web_customer_id,
        {{ c360.clean_id('source.loyalty_number') }} as loyalty_number,
        {{ c360.clean_email('source.customer_email') }} as customer_email,
        {{ c360.is_valid_email('source.customer_email') }} as is_valid_customer_email,
        {{ c360.clean_phone('source.customer_phone') }} as customer_phone,
        {{ c360.clean_name('source.customer_first_name') }} as customer_first_name,
        {{ c360.clean_name('source.customer_last_name') }} as customer_last_name,
        {{ c360.clean_text('source.ship_street') }} as ship_street,
        {{ c360.normalise_street('source.ship_street') }} as ship_street_normalised,
        {{ c360.clean_text('source.ship_city') }} as ship_city,
        {{ c360.clean_postal_code('source.ship_postal_code') }} as ship_postal_code,
        {{ c360.country_code('source.ship_country') }} as ship_country_code,
        {{ c360.try_cast_timestamp_utc('source.ordered_at') }} as ordered_at,
        {{ c360.try_cast_date('substr(trim(source.ordered_at), 1, 10)') }} as ordered_local_date,
        nullif(upper(trim(source.currency)), '') as currency,
        {{ c360.try_cast_decimal('source.order_total') }} as order_total,
        {{ c360.clean_code('source.status') }} as status,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.order_id'),
            c360.rule_text_values('commerce', 'orders'),
            c360.rule_unparseable_timestamp(['ordered_at', '_loaded_at']),
            c360.rule_implausible_date(['ordered_at', '_loaded_at']),
            c360.rule_future_timestamp(['ordered_at']),
            c360.rule_non_numeric_amount(['order_total']),
            c360.rule_negative_amount(['order_total']),
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='order_id') }}
)

select * from final
where {{ c360.not_erased('commerce.orders') }}
