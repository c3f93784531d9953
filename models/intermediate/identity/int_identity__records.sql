{#-
    One row per staged record that describes a person, from the tables and
    column mapping in var `c360_identity.records`, with matching keys.
-#}
{%- set identity = var('c360_identity', {}) -%}
{%- set disabled = var('c360_disabled_sources', []) -%}
{%- set tables = [] -%}
{%- for table_key, mapping in identity.get('records', {}).items() -%}
    {%- set source_name, table_name = table_key.split('.') -%}
    {%- if source_name not in disabled -%}
        {%- do tables.append({
            'cte': source_name ~ '__' ~ table_name,
            'source_name': source_name,
            'table_name': table_name,
            'model': mapping.get('model', 'stg_' ~ source_name ~ '__' ~ table_name),
            'mapping': mapping
        }) -%}
    {%- endif -%}
{%- endfor -%}

with

nicknames as (
    select * from {{ ref('nicknames') }}
),

{% for t in tables %}
    {{ t.cte }} as (
        select * from {{ ref(t.model) }}
    ),

{% endfor -%}

{%- for t in tables %}
    mapped_{{ t.cte }} as (
        {{ c360.identity_mapped_records(t.cte, t.source_name, t.table_name, t.mapping) }}
    ),

{% endfor -%}

unioned as (
    {%- for t in tables %}
        select * from mapped_{{ t.cte }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

keyed as (
    select
        {{ dbt.concat(['unioned.source_name', "'.'", 'unioned.table_name', "':'", 'unioned.record_id']) }}
            as record_key,
        unioned.source_name,
        unioned.table_name,
        unioned.record_id,
        unioned.first_name,
        unioned.last_name,
        {{ c360.identity_name_key('unioned.first_name') }} as first_name_key,
        {{ c360.identity_name_key('unioned.last_name') }} as last_name_key,
        {{ c360.identity_email_key('unioned.email') }} as email,
        unioned.phone,
        unioned.birth_date,
        unioned.street as street_key,
        unioned.street_line,
        unioned.postal_code,
        unioned.city,
        {{ c360.identity_postal_code_key('unioned.postal_code') }} as postal_code_key,
        {{ c360.identity_name_key('unioned.city') }} as city_key,
        upper(unioned.country_code) as country_code,
        unioned.crm_contact_id,
        unioned.web_customer_id,
        unioned.loyalty_number,
        unioned.billing_customer_id,
        unioned.app_user_id,
        unioned.device_id,
        {{ c360.clean_handle('unioned.social_handle') }} as social_handle,
        unioned.referenced_record_key,
        unioned.record_at
    from unioned
),

final as (
    select
        keyed.record_key,
        keyed.source_name,
        keyed.table_name,
        keyed.record_id,
        keyed.first_name,
        keyed.last_name,
        keyed.first_name_key,
        keyed.last_name_key,
        coalesce(nicknames.canonical_name, keyed.first_name_key) as first_name_canonical,
        keyed.email,
        keyed.phone,
        keyed.birth_date,
        keyed.street_key,
        keyed.street_line,
        keyed.postal_code,
        keyed.postal_code_key,
        keyed.city,
        keyed.city_key,
        keyed.country_code,
        keyed.crm_contact_id,
        keyed.web_customer_id,
        keyed.loyalty_number,
        keyed.billing_customer_id,
        keyed.app_user_id,
        keyed.device_id,
        keyed.social_handle,
        keyed.referenced_record_key,
        coalesce(
            {%- for column in c360.identity_identifying_columns() %}
                {{ dbt.cast('keyed.' ~ column, api.Column.translate_type('string')) }}
                {{- ',' if not loop.last }}
            {%- endfor %}
        ) is null as is_anonymous,
        keyed.record_at
    from keyed
    left join nicknames
        on keyed.first_name_key = nicknames.nickname
)

select * from final
