{#-
    Every resolved customer's home: the golden-record postal code read as a
    postal area (macro postal_area) and looked up in the postal-area
    reference; coordinates and region are the area's. match_level says how
    the lookup went (macro postal_match_level).
-#}

with

golden as (
    select * from {{ ref('int_identity__golden_records') }}
),

postal_areas as (
    select * from {{ ref('postal_areas') }}
),

keyed as (
    select
        customer_id,
        postal_code,
        city,
        country_code,
        {{ c360.postal_area('postal_code', 'country_code') }} as postal_area
    from golden
),

final as (
    select
        keyed.customer_id,
        keyed.postal_code,
        keyed.country_code,
        keyed.postal_area,
        postal_areas.region_code,
        postal_areas.region_name,
        postal_areas.latitude,
        postal_areas.longitude,
        {{ c360.postal_match_level('keyed.postal_code', 'keyed.country_code', 'keyed.postal_area',
            'postal_areas.postal_area') }} as match_level
    from keyed
    left join postal_areas
        on
            keyed.country_code = postal_areas.country_code
            and keyed.postal_area = postal_areas.postal_area
)

select * from final
