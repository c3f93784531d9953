{#-
    Profiles: distinct combinations of the compared attributes, one row each,
    represented by their smallest record_key. Fuzzy rules compare profiles,
    not records, so a person's many identical records are compared once.
-#}
{%- set profile_columns = c360.identity_profile_columns() -%}
with

profiled_records as (
    select * from {{ ref('int_identity__record_profiles') }}
),

nicknames as (
    select * from {{ ref('nicknames') }}
),

grouped_profiles as (
    select
        profile_key,
        min(record_key) as representative_key,
        {%- for column in profile_columns %}
            min({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as record_count
    from profiled_records
    group by profile_key
),

final as (
    select
        grouped_profiles.*,
        coalesce(nicknames.canonical_name, grouped_profiles.last_name_key) as last_name_canonical
    from grouped_profiles
    left join nicknames
        on grouped_profiles.last_name_key = nicknames.nickname
)

select * from final
