{#-
    Evidence of each honoured erasure request: what was removed and when,
    without the personal data itself. One row per request, written by the
    build that registers it and kept from then on (the request's own record
    is erased with the rest, so later builds no longer see it).
-#}

with

register as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('erasure_register') }}
),

requests as (
    {% if c360.source_enabled('privacy') %}
        select
            request_id,
            status,
            received_via,
            requested_at
        from {{ ref('stg_privacy__erasure_requests') }}
    {% else %}
        select
            request_id,
            cast(null as {{ dbt.type_string() }}) as status,
            cast(null as {{ dbt.type_string() }}) as received_via,
            cast(null as {{ dbt.type_timestamp() }}) as requested_at
        from register
        where 1 = 0
    {% endif %}
),

new_rows as (
    select register.*
    from register
    {%- if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as recorded
            where recorded.request_id = register.request_id
        )
    {%- endif %}
),

table_counts as (
    select
        request_id,
        source_table,
        count(*) as records
    from new_rows
    group by request_id, source_table
),

per_request as (
    select
        new_rows.request_id,
        min(new_rows.registered_at) as registered_at,
        count(distinct new_rows.customer_id_hash) as customers_erased,
        count(*) as records_erased,
        count(distinct new_rows.source_table) as tables_erased
    from new_rows
    group by new_rows.request_id
),

by_table as (
    select
        request_id,
        {{ c360.sorted_string_agg(
            dbt.concat(['source_table', "'='", 'cast(records as ' ~ dbt.type_string() ~ ')']), "', '"
        ) }} as records_erased_by_table
    from table_counts
    group by request_id
),

final as (
    select
        cast(per_request.request_id as {{ dbt.type_string() }}) as request_id,
        cast(requests.status as {{ dbt.type_string() }}) as request_status,
        cast(requests.received_via as {{ dbt.type_string() }}) as received_via,
        cast(requests.requested_at as {{ dbt.type_timestamp() }}) as requested_at,
        cast(per_request.registered_at as {{ dbt.type_timestamp() }}) as registered_at,
        cast(per_request.customers_erased as {{ dbt.type_int() }}) as customers_erased,
        cast(per_request.records_erased as {{ dbt.type_int() }}) as records_erased,
        cast(per_request.tables_erased as {{ dbt.type_int() }}) as tables_erased,
        cast(by_table.records_erased_by_table as {{ dbt.type_string() }}) as records_erased_by_table
    from per_request
    inner join by_table
        on per_request.request_id = by_table.request_id
    left join requests
        on per_request.request_id = requests.request_id
)

select * from final
