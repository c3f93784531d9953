{#-
    The erasure register: one row per honoured erasure request and erased
    row, appended at the end of the build that first sees the request
    (var c360_erasure, macros/privacy/erasure.sql): the rows each request
    erases directly (int_privacy__erasure_records) and every row linked to
    them. It holds hashes only.
    The table is created empty at the start of every run and never rebuilt
    (dbt_project.yml: incremental, full_refresh false): a --full-refresh
    build must not forget an erasure.
-#}
{%- set tables = c360.erasure_tables() -%}
{%- set text = dbt.type_string() -%}
{%- set links = tables | selectattr('kind', 'equalto', 'link') | list -%}

with

-- what each request erases directly: person records and quarantined rows
erased_0 as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_privacy__erasure_records') }}
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
