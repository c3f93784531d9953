{#-
    Postal codes to postal areas (models/intermediate/location), from var
    `c360_location.postal_formats`.
-#}

{#-
    The postal area of a postal code in its country: US 02110-1234 → 021,
    GB "sw1a 1aa" → SW, DE 80331 → 80. Null when the code is missing, not
    well formed for its country, or the country has no postal format.
-#}
{% macro postal_area(postal_code, country_code) -%}
    {%- set formats = var('c360_location', {}).get('postal_formats', {}) -%}
    {%- set compact = c360.identity_postal_code_key(postal_code) -%}
    case
        {%- for country, fmt in formats.items() %}
            when {{ country_code }} = '{{ country }}' and {{ c360.regexp_matches(compact, fmt.pattern) }}
                then
                {%- if fmt.area == 'letters' %} {{ c360.regexp_replace_all(compact, '[0-9][A-Z0-9]*$', '') }}
                {%- else %} substr({{ compact }}, 1, {{ fmt.length }})
                {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}


{#-
    How a postal code geocoded: postal_area (found in the reference),
    unknown_postal_area (well formed, no such area), invalid_postal_code,
    no_postal_code, unsupported_country. `area` is the postal_area()
    expression, `reference_area` the joined reference row's area.
-#}
{% macro postal_match_level(postal_code, country_code, area, reference_area) -%}
    {%- set countries = var('c360_location', {}).get('postal_formats', {}).keys() | list -%}
    case
        when {{ reference_area }} is not null then 'postal_area'
        when {{ c360.identity_postal_code_key(postal_code) }} is null then 'no_postal_code'
        when {{ country_code }} is null or {{ country_code }} not in ('{{ countries | join("', '") }}')
            then 'unsupported_country'
        when {{ area }} is null then 'invalid_postal_code'
        else 'unknown_postal_area'
    end
{%- endmacro %}
