{#-
    What each honoured erasure request erases directly, before links are
    followed (var c360_erasure, macros/privacy/erasure.sql): every person
    record of the customer the request resolved to (the request itself
    when it resolved to no one), and the quarantined rows of person-record
    tables that carry one of that customer's identifiers. erasure_register
    follows the links from here and registers the hashes. A table of its
    own, so that engines which inline common table expressions (Spark)
    compute it once rather than once per linked table. Empty once the
    requests' rows are erased (the next build no longer stages them).
-#}
{%- set settings = c360.erasure_settings() -%}
{%- set tables = c360.erasure_tables() -%}
{%- set text = dbt.type_string() -%}
{%- set quarantined = [] -%}
{%- for t in tables if t.kind == 'record' and t.staged -%}
    {%- set mapped = [] -%}
    {%- for identifier_type in settings.identifiers if t.mapping.get(identifier_type) -%}
        {%- do mapped.append((identifier_type, t.mapping[identifier_type])) -%}
    {%- endfor -%}
    {%- if mapped -%}
        {%- do quarantined.append((t, mapped)) -%}
    {%- endif -%}
{%- endfor -%}

with

requests as (
    {% if c360.source_enabled('privacy') %}
        select
            request_id,
            status
        from {{ ref('stg_privacy__erasure_requests') }}
        where status in ('{{ settings.honoured_statuses | join("', '") }}')
    {% else %}
        -- no erasure requests without the privacy source
        select
            cast(null as {{ text }}) as request_id,
            cast(null as {{ text }}) as status
        where 1 = 0
    {% endif %}
),

identity_map as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('customer_identity_map') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

-- the customer each honoured request resolved to (none for an anonymous request)
request_customers as (
    select
        requests.request_id,
        identity_map.customer_id
    from requests
    left join identity_map
        on
            requests.request_id = identity_map.record_id
            and identity_map.source_name = 'privacy'
            and identity_map.table_name = 'erasure_requests'
),

-- every person record of those customers; an anonymous request erases itself
customer_records as (
    select
        request_customers.request_id,
        request_customers.customer_id,
        {{ dbt.concat(['identity_map.source_name', "'.'", 'identity_map.table_name']) }} as source_table,
        identity_map.record_id,
        identity_map.record_key,
        'customer' as erasure_rule
    from request_customers
    inner join identity_map
        on request_customers.customer_id = identity_map.customer_id
    union all
    select
        request_id,
        customer_id,
        'privacy.erasure_requests' as source_table,
        request_id as record_id,
        {{ dbt.concat(["'privacy.erasure_requests:'", 'request_id']) }} as record_key,
        'request' as erasure_rule
    from request_customers
    where customer_id is null
),

-- their identifiers that link records (blocked values never do)
customer_identifiers as (
    select distinct
        customer_records.request_id,
        customer_records.customer_id,
        identifiers.identifier_type,
        identifiers.identifier_value
    from customer_records
    inner join identifiers
        on customer_records.record_key = identifiers.record_key
    where
        not identifiers.is_blocked
        and identifiers.identifier_type in ('{{ settings.identifiers | join("', '") }}')
),

{% for t, mapped in quarantined %}
    quarantined_{{ loop.index }} as (
        -- {{ t.key }}: rows a data-quality rule kept out of staging
        {%- for identifier_type, column in mapped %}
            select
                {{ c360.erasure_row_id('rows') }} as record_id,
                '{{ identifier_type }}' as identifier_type,
                {{ c360.erasure_identifier_value(identifier_type, 'rows.' ~ column) }} as identifier_value
            from {{ c360.erasure_base(t.key) }} as rows
            where rows.dq_rule is not null
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    ),

{% endfor %}
final as (
    select
        request_id,
        customer_id,
        source_table,
        record_id,
        erasure_rule
    from customer_records
    {%- for t, mapped in quarantined %}
        union all
        select distinct
            customer_identifiers.request_id,
            customer_identifiers.customer_id,
            '{{ t.key }}' as source_table,
            quarantined_{{ loop.index }}.record_id,
            'identifier' as erasure_rule
        from quarantined_{{ loop.index }}
        inner join customer_identifiers
            on
                quarantined_{{ loop.index }}.identifier_type = customer_identifiers.identifier_type
                and quarantined_{{ loop.index }}.identifier_value = customer_identifiers.identifier_value
    {%- endfor %}
)

select * from final
