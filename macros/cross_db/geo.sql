{#-
    Great-circle distance in kilometres between two points given in decimal
    degrees (haversine formula, mean Earth radius from var
    `c360_location.earth_radius_km`). Written with functions DuckDB,
    PostgreSQL and Spark share (radians, sin, cos, asin, sqrt, power); the
    argument of asin is capped at 1 because PostgreSQL raises an error where
    rounding pushes it just above. Null when any coordinate is null.
-#}
{% macro haversine_km(lat1, lon1, lat2, lon2) -%}
    {{ return(adapter.dispatch('haversine_km', 'c360')(lat1, lon1, lat2, lon2)) }}
{%- endmacro %}

{% macro default__haversine_km(lat1, lon1, lat2, lon2) -%}
    {%- set radius = var('c360_location', {}).get('earth_radius_km', 6371.0088) -%}
    {%- set double = c360.type_double() -%}
    {%- set half_dlat = 'sin(radians(cast(' ~ lat2 ~ ' as ' ~ double ~ ') - cast(' ~ lat1 ~ ' as ' ~ double ~ ')) / 2)' -%}
    {%- set half_dlon = 'sin(radians(cast(' ~ lon2 ~ ' as ' ~ double ~ ') - cast(' ~ lon1 ~ ' as ' ~ double ~ ')) / 2)' -%}
    (2 * {{ radius }} * asin(sqrt(least(
        cast(1 as {{ double }}),
        power({{ half_dlat }}, 2)
        + cos(radians(cast({{ lat1 }} as {{ double }}))) * cos(radians(cast({{ lat2 }} as {{ double }})))
        * power({{ half_dlon }}, 2)
    ))))
{%- endmacro %}
