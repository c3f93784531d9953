{#-
    The location macros on this engine, on literal values: haversine_km
    against analytic distances (half and quarter of a great circle, one
    degree of latitude: pi * R, pi * R / 2, pi * R / 180 with R = 6371.0088
    km) and published city-to-city distances; postal_area on each country's
    formats, including noisy and malformed codes; the geolocation masking
    treatments. A row is a check that failed.
-#}
{%- set double = c360.type_double() -%}
{#- true when exactly one of actual and expected is null -#}
{%- set one_null = '(actual is null and expected is not null) or (actual is not null and expected is null)' -%}
{%- set distances = [
    ('antipodes on the equator', '0', '0', '0', '180', 20015.114, 0.01),
    ('equator to pole', '0', '0', '90', '0', 10007.557, 0.01),
    ('one degree of latitude', '0', '0', '1', '0', 111.195, 0.01),
    ('same point', '53.4808', '-2.2426', '53.4808', '-2.2426', 0, 0.001),
    ('London to Paris', '51.5074', '-0.1278', '48.8566', '2.3522', 343.5, 1),
    ('Paris to London', '48.8566', '2.3522', '51.5074', '-0.1278', 343.5, 1),
    ('New York to Los Angeles', '40.7128', '-74.0060', '34.0522', '-118.2437', 3936, 2),
    ('Berlin to Munich', '52.5200', '13.4050', '48.1351', '11.5820', 504, 2)
] -%}
{%- set postal_codes = [
    ('US ZIP', "'02110'", "'US'", "'021'"),
    ('US ZIP+4', "'02110-1234'", "'US'", "'021'"),
    ('US ZIP padded', "'  10001 '", "'US'", "'100'"),
    ('US too short', "'0211'", "'US'", 'null'),
    ('GB postcode', "'SW1A 1AA'", "'GB'", "'SW'"),
    ('GB lower case, no space', "'m145ab'", "'GB'", "'M'"),
    ('GB one-letter area', "'B2 4QA'", "'GB'", "'B'"),
    ('GB not a postcode', "'N/A'", "'GB'", 'null'),
    ('DE PLZ', "'80331'", "'DE'", "'80'"),
    ('DE leading zero', "'04109'", "'DE'", "'04'"),
    ('DE six digits', "'804331'", "'DE'", 'null'),
    ('DE code in a US format country', "'80331'", "'US'", "'803'"),
    ('unsupported country', "'75008'", "'FR'", 'null'),
    ('no postal code', 'null', "'US'", 'null')
] -%}

with

distance_checks as (
    {%- for name, lat1, lon1, lat2, lon2, expected, tolerance in distances %}
        select
            '{{ name }}' as check_name,
            {{ c360.haversine_km(lat1, lon1, lat2, lon2) }} as actual_km,
            cast({{ expected }} as {{ double }}) as expected_km,
            cast({{ tolerance }} as {{ double }}) as tolerance_km
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

postal_checks as (
    {%- for name, code, country, expected in postal_codes %}
        select
            '{{ name }}' as check_name,
            {{ c360.postal_area('cast(' ~ code ~ ' as ' ~ dbt.type_string() ~ ')', country) }} as actual,
            cast({{ expected }} as {{ dbt.type_string() }}) as expected
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

masking_checks as (
    select
        'generalise geolocation' as check_name,
        {{ c360.mask('cast(51.50744 as ' ~ double ~ ')', 'geolocation', 'generalise') }} as actual,
        cast(51.5 as {{ double }}) as expected
    union all
    select
        'generalise negative geolocation' as check_name,
        {{ c360.mask('cast(-0.12776 as ' ~ double ~ ')', 'geolocation', 'generalise') }} as actual,
        cast(-0.1 as {{ double }}) as expected
    union all
    select
        'redact geolocation' as check_name,
        {{ c360.mask('cast(51.5 as ' ~ double ~ ')', 'geolocation', 'redact') }} as actual,
        cast(null as {{ double }}) as expected
),

failures as (
    select check_name
    from distance_checks
    where actual_km is null or abs(actual_km - expected_km) > tolerance_km
    union all
    select check_name
    from postal_checks
    where {{ one_null }} or actual != expected
    union all
    select check_name
    from masking_checks
    where {{ one_null }} or abs(actual - expected) > 0.000001
)

select * from failures
