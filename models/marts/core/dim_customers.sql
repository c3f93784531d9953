{#- One row per resolved customer: golden-record identity, CRM account and
    the current lifecycle stage as of the build's as-of date. -#}

with

golden as (
    select * from {{ ref('int_identity__golden_records') }}
),

stages as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_customers__lifecycle_stages') }}
),

{% if c360.source_enabled('crm') %}
    identity_map as (
        select * from {{ ref('customer_identity_map') }}
        where source_name = 'crm' and table_name = 'contacts'
    ),

    contacts as (
        select * from {{ ref('stg_crm__contacts') }}
    ),

    accounts as (
        select * from {{ ref('stg_crm__accounts') }}
    ),

    customer_accounts as (
        select
            identity_map.customer_id,
            accounts.account_id,
            accounts.account_type,
            accounts.segment,
            accounts.industry,
            row_number() over (
                partition by identity_map.customer_id
                order by contacts.updated_at desc, contacts.contact_id asc
            ) as contact_rank
        from identity_map
        inner join contacts
            on identity_map.record_id = contacts.contact_id
        inner join accounts
            on contacts.account_id = accounts.account_id
    ),
{% else %}
customer_accounts as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as account_type,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as industry,
        1 as contact_rank
    where 1 = 0
),
{% endif %}

current_stages as (
    select
        customer_id,
        lifecycle_stage,
        entered_at
    from stages
    where is_current
),

first_stages as (
    select
        customer_id,
        min(entered_at) as first_seen_at,
        min(case when lifecycle_stage = 'new_customer' then entered_at end) as first_purchase_at
    from stages
    group by customer_id
),

final as (
    select
        golden.customer_id,
        golden.first_name,
        golden.last_name,
        golden.email,
        golden.phone,
        golden.birth_date,
        golden.street_line,
        golden.postal_code,
        golden.city,
        golden.country_code,
        golden.social_handle,
        customer_accounts.account_id,
        customer_accounts.account_type,
        coalesce(customer_accounts.segment, 'unknown') as segment,
        customer_accounts.industry,
        coalesce(golden.country_code, 'unknown') as region,
        coalesce(current_stages.lifecycle_stage, 'prospect') as lifecycle_stage,
        current_stages.entered_at as lifecycle_stage_entered_at,
        first_stages.first_seen_at,
        first_stages.first_purchase_at,
        cast(golden.record_count as {{ dbt.type_int() }}) as record_count,
        cast(golden.source_count as {{ dbt.type_int() }}) as source_count
    from golden
    left join customer_accounts
        on
            golden.customer_id = customer_accounts.customer_id
            and customer_accounts.contact_rank = 1
    left join current_stages
        on golden.customer_id = current_stages.customer_id
    left join first_stages
        on golden.customer_id = first_stages.customer_id
)

select * from final
