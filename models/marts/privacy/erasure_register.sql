{#-
    The erasure register: one row per honoured erasure request and erased
    row, appended at the end of the build that first sees the request
    (var c360_erasure, macros/privacy/erasure.sql). It holds hashes only.
    The table is created empty at the start of every run and never rebuilt
    (dbt_project.yml: incremental, full_refresh false): a --full-refresh
    build must not forget an erasure.
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
{%- set links = tables | selectattr('kind', 'equalto', 'link') | list -%}

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

identity_map as (
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
erased_0 as (
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
),

{#- Each linked table's rows are found from the erased rows of its parent
    table alone (erased_0 for a person record, the parent's linked_<n>
    for a linked table), so no step repeats the steps before it: engines
    that inline CTEs (Spark) analyse a plan that grows with the number of
    links rather than doubling with each. -#}
{%- set rows_cte = {} -%}
{% for t in links %}
    {%- set step = loop.index %}
    {%- for link in t.links %}
        {%- set other = link.get('referenced_by') or link.parent %}
        {%- set other_rows = rows_cte.get(other, 'erased_0') %}
        {%- if link.get('referenced_by') %}
            -- {{ t.key }} named by erased rows of {{ other }} ...
            parents_{{ step }}_{{ loop.index }} as (
                select distinct
                    erased_referencing.request_id,
                    erased_referencing.customer_id,
                    referencing.{{ link.column }} as parent_value
                from {{ other_rows }} as erased_referencing
                inner join {{ c360.erasure_base(other) }} as referencing
                    on erased_referencing.record_id = {{ c360.erasure_row_id('referencing') }}
                where erased_referencing.source_table = '{{ other }}'
            ),

            -- ... and by no row of {{ other }} that stays
            kept_{{ step }}_{{ loop.index }} as (
                select distinct referencing.{{ link.column }} as parent_value
                from {{ c360.erasure_base(other) }} as referencing
                where not exists (
                    select 1
                    from {{ other_rows }} as erased_referencing
                    where
                        erased_referencing.source_table = '{{ other }}'
                        and erased_referencing.record_id = {{ c360.erasure_row_id('referencing') }}
                )
            ),

        {%- else %}
            -- erased rows of {{ other }}: {{ link.get('parent_column', 'their keys') }}
            parents_{{ step }}_{{ loop.index }} as (
                {%- if link.get('parent_column') %}
                    select distinct
                        erased_parents.request_id,
                        erased_parents.customer_id,
                        parent_rows.{{ link.parent_column }} as parent_value
                    from {{ other_rows }} as erased_parents
                    inner join {{ c360.erasure_base(other) }} as parent_rows
                        on erased_parents.record_id = parent_rows._record_key
                    where erased_parents.source_table = '{{ other }}'
                {%- else %}
                    select
                        request_id,
                        customer_id,
                        record_id as parent_value
                    from {{ other_rows }}
                    where source_table = '{{ other }}'
                {%- endif %}
            ),

        {%- endif %}
    {%- endfor %}

    -- {{ t.key }}: rows that belong to erased rows
    linked_{{ step }} as (
        {%- for link in t.links %}
            {%- set joined_column = '_record_key' if link.get('referenced_by') else link.column %}
            select distinct
                parents_{{ step }}_{{ loop.index }}.request_id,
                parents_{{ step }}_{{ loop.index }}.customer_id,
                '{{ t.key }}' as source_table,
                {{ c360.erasure_row_id('rows') }} as record_id,
                '{{ "orphaned" if link.get("referenced_by") else "link" }}' as erasure_rule
            from {{ c360.erasure_base(t.key) }} as rows
            inner join parents_{{ step }}_{{ loop.index }}
                on rows.{{ joined_column }} = parents_{{ step }}_{{ loop.index }}.parent_value
            {%- if link.get('referenced_by') %}
                where not exists (
                    select 1
                    from kept_{{ step }}_{{ loop.index }}
                    where kept_{{ step }}_{{ loop.index }}.parent_value = rows._record_key
                )
            {%- endif %}
            union all
        {%- endfor %}
        -- {{ t.key }} rows found directly
        select
            request_id,
            customer_id,
            source_table,
            record_id,
            erasure_rule
        from erased_0
        where source_table = '{{ t.key }}'
    ),
    {%- do rows_cte.update({t.key: 'linked_' ~ step}) %}

{% endfor %}
erased as (
    select
        request_id,
        customer_id,
        source_table,
        record_id,
        erasure_rule
    from erased_0
    {%- if links %}
        where source_table not in ('{{ links | map(attribute="key") | join("', '") }}')
    {%- endif %}
    {%- for t in links %}
        union all
        select
            request_id,
            customer_id,
            source_table,
            record_id,
            erasure_rule
        from linked_{{ loop.index }}
    {%- endfor %}
),

registered as (
    select
        request_id,
        source_table,
        {{ c360.sha256_hex(dbt.concat(['source_table', "':'", 'record_id'])) }} as record_key_hash,
        {{ c360.sha256_hex('customer_id') }} as customer_id_hash,
        -- the first rule that found the row: customer, identifier, link, orphaned, request
        min(erasure_rule) as erasure_rule
    from erased
    group by request_id, source_table, record_id, customer_id
),

final as (
    select
        cast(request_id as {{ text }}) as request_id,
        cast(source_table as {{ text }}) as source_table,
        cast(record_key_hash as {{ text }}) as record_key_hash,
        cast(customer_id_hash as {{ text }}) as customer_id_hash,
        cast(erasure_rule as {{ text }}) as erasure_rule,
        {{ c360.erasure_registered_at() }} as registered_at,
        cast('{{ invocation_id }}' as {{ text }}) as invocation_id
    from registered
    {%- if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as existing
            where
                existing.request_id = registered.request_id
                and existing.record_key_hash = registered.record_key_hash
        )
    {%- endif %}
)

select * from final
