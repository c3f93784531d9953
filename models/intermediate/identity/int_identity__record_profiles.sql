{#-
    The compared attributes of every identity record, with its profile: the
    hash of those attributes, so records that read the same are compared
    once (int_identity__profiles). A blocked email or phone is no evidence
    and is left out.
-#}
{%- set profile_columns = c360.identity_profile_columns() -%}
with

records as (
    select * from {{ ref('int_identity__records') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

blocked_contact_points as (
    select
        record_key,
        max(case when identifier_type = 'email' then 1 else 0 end) as is_email_blocked,
        max(case when identifier_type = 'phone' then 1 else 0 end) as is_phone_blocked
    from identifiers
    where identifier_type in ('email', 'phone') and is_blocked
    group by record_key
),

comparable_records as (
    select
        records.record_key,
        records.first_name_key,
        records.first_name_canonical,
        records.last_name_key,
        records.street_key,
        records.postal_code_key,
        records.city_key,
        records.country_code,
        records.birth_date,
        case when coalesce(blocked_contact_points.is_phone_blocked, 0) = 0 then records.phone end as phone,
        case when coalesce(blocked_contact_points.is_email_blocked, 0) = 0 then records.email end as email
    from records
    left join blocked_contact_points
        on records.record_key = blocked_contact_points.record_key
),

final as (
    select
        *,
        {{ dbt.hash(dbt.concat(c360.identity_profile_parts(profile_columns))) }} as profile_key
    from comparable_records
)

select * from final
