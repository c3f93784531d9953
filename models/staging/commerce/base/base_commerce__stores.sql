with

source as (
    select {{ c360.raw_columns('commerce', 'stores') }}
    from {{ source('commerce', 'stores') }}
),

cleaned as (
    select
        {{ c360.clean_id('source.store_id') }} as store_id,
        {{ c360.clean_text('source.store_name') }} as store_name,
        {{ c360.clean_code('source.store_type') }} as store_type,
        {{ c360.clean_text('source.street') }} as street,
        {{ c360.normalise_street('source.street') }} as street_normalised,
        {{ c360.clean_text('source.city') }} as city,
        {{ c360.clean_postal_code('source.postal_code') }} as postal_code,
        {{ c360.country_code('source.country') }} as country_code,
        {{ c360.clean_text('source.region') }} as region,
        source.latitude,
        source.longitude,
        {{ c360.try_cast_timestamp_utc('source.opened_at') }} as opened_at,
        {{ c360.try_cast_timestamp_utc('source.closed_at') }} as closed_at,
        {{ c360.try_cast_timestamp_utc('source._loaded_at') }} as loaded_at,
        {{ c360.raw_values() }} as _raw_values,
        {{ c360.first_failed_rule([
            c360.rule_null_key('source.store_id'),
            c360.rule_text_values('commerce', 'stores'),
            c360.rule_unparseable_timestamp(['opened_at', 'closed_at', '_loaded_at']),
            c360.rule_implausible_date(['opened_at', 'closed_at', '_loaded_at']),
            "when abs(source.latitude) > 90 or abs(source.longitude) > 180 then 'invalid_coordinates'",
        ]) }} as _row_rule
    from source
),

final as (
    {{ c360.resolve_duplicates('cleaned', key='store_id') }}
)

select * from final
