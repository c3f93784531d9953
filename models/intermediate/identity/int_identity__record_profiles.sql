{#-
    The compared attributes of every identity record, with its profile: the
    hash of those attributes, so records that read the same are compared
    once (int_identity__profiles). A blocked email or phone is no evidence
    and is left out. A record with an email and no name also gets the name
    its mailbox spells (`jane.doe77@...`), for the email_name rule.
-#}
{%- set profile_columns = c360.identity_profile_columns() -%}
{%- set qualified_profile_columns = [] -%}
{%- for column in profile_columns %}{% do qualified_profile_columns.append('comparable_records.' ~ column) %}{% endfor -%}
{%- set min_name_length = var('c360_identity', {}).get('min_name_key_length', 2) -%}
with

nicknames as (
    select * from {{ ref('nicknames') }}
),

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

mailboxes as (
    select
        record_key,
        {{ c360.regexp_replace_all(
            c360.regexp_replace_all(dbt.split_part('email', "'@'", 1), '[0-9]+$', ''), '[_-]', '.'
        ) }} as mailbox
    from comparable_records
    where
        email is not null
        and first_name_key is null
        and last_name_key is null
),

mailbox_names as (
    select
        record_key,
        {{ dbt.split_part('mailbox', "'.'", 1) }} as first_name_key,
        {{ dbt.split_part('mailbox', "'.'", 2) }} as last_name_key
    from mailboxes
    where {{ c360.regexp_matches('mailbox', '^[a-z]+[.][a-z]+$') }}
),

spelled_names as (
    select
        mailbox_names.record_key,
        coalesce(nicknames.canonical_name, mailbox_names.first_name_key) as first_name_canonical,
        mailbox_names.last_name_key
    from mailbox_names
    left join nicknames
        on mailbox_names.first_name_key = nicknames.nickname
    where
        length(mailbox_names.first_name_key) >= {{ min_name_length }}
        and length(mailbox_names.last_name_key) >= {{ min_name_length }}
),

final as (
    select
        comparable_records.*,
        spelled_names.first_name_canonical as mailbox_first_name_canonical,
        spelled_names.last_name_key as mailbox_last_name_key,
        {{ dbt.hash(dbt.concat(c360.identity_profile_parts(qualified_profile_columns))) }}
            as profile_key
    from comparable_records
    left join spelled_names
        on comparable_records.record_key = spelled_names.record_key
)

select * from final
