{#-
    Rows the erasure register holds that staging or the quarantine still
    keeps, per table. A build registers a new erasure at its end, so these
    are the rows of requests it has just registered: the next build leaves
    them out of every model (`c360 build` runs it by itself; after a plain
    `dbt build`, build again). Warns with the number of rows.
-#}
{{ config(severity='warn', fail_calc='coalesce(sum(still_staged), 0)') }}
{%- set tables = c360.erasure_tables() | selectattr('staged') | list -%}

with

register as (
    select * from {{ ref('erasure_register') }}
),

staged as (
    {%- for t in tables %}
        select
            '{{ t.key }}' as source_table,
            {{ c360.erasure_record_hash(t.key, c360.erasure_table_key_column(t.key)) }} as record_key_hash
        from {{ ref('stg_' ~ t.source_name ~ '__' ~ t.table_name) }}
        union all
    {%- endfor %}
    select
        {{ dbt.concat(['source_name', "'.'", 'table_name']) }} as source_table,
        {{ c360.sha256_hex(dbt.concat([
            'source_name', "'.'", 'table_name', "':'", c360.erasure_record_id('record_key', 'raw_values')
        ])) }} as record_key_hash
    from {{ ref('dq_quarantine') }}
),

final as (
    select
        staged.source_table,
        count(*) as still_staged
    from staged
    where
        exists (
            select 1
            from register
            where
                register.source_table = staged.source_table
                and register.record_key_hash = staged.record_key_hash
        )
    group by staged.source_table
)

select * from final
