{#-
    The build's as-of date and instant (var `c360_as_of_date`, empty = the
    day the run started, UTC) and small helpers of the lifecycle models.
-#}

{% macro as_of_date_text() -%}
    {%- set configured = var('c360_as_of_date', '') -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        {{- return(run_started_at.strftime('%Y-%m-%d')) -}}
    {%- endif -%}
    {{- return(configured | string | trim) -}}
{%- endmacro %}

{#- The as-of date as a SQL date. -#}
{% macro as_of_date() -%}
    cast('{{ c360.as_of_date_text() }}' as date)
{%- endmacro %}

{#- The end of the as-of date (midnight UTC after it) as a SQL timestamp:
    events strictly before it, loaded strictly before it, are known. -#}
{% macro as_of_at() -%}
    {{ dbt.dateadd('day', 1, "cast('" ~ c360.as_of_date_text() ~ " 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{#- True when a source is built (not in c360_disabled_sources). -#}
{% macro source_enabled(source_name) -%}
    {{- return(source_name not in var('c360_disabled_sources', [])) -}}
{%- endmacro %}

{#- A CASE mapping a source's channel codes to touchpoint channels
    (c360_lifecycle.channels[table_key]); unknown codes pass through. -#}
{% macro touchpoint_channel(table_key, expr) -%}
    {%- set mapping = var('c360_lifecycle', {}).get('channels', {}).get(table_key, {}) -%}
    {%- if mapping | length == 0 -%}
        {{ expr }}
    {%- else -%}
        case {{ expr }}
            {%- for code, channel in mapping.items() %}
            when '{{ code }}' then '{{ channel }}'
            {%- endfor %}
            else {{ expr }}
        end
    {%- endif -%}
{%- endmacro %}

{#- The record key of customer_identity_map for a source table's record id. -#}
{% macro identity_record_key(table_key, record_id_expr) -%}
    {{ dbt.concat(["'" ~ table_key ~ ":'", record_id_expr]) }}
{%- endmacro %}

{#- Whole days from one timestamp to another (may be fractional-free:
    calendar-day difference of the two instants' dates). -#}
{% macro days_between(from_expr, to_expr) -%}
    {{ dbt.datediff(from_expr, to_expr, 'day') }}
{%- endmacro %}

{#- Window frame over a customer's weekly snapshots: the current week and
    the n - 1 before it (n = none: the whole history). -#}
{% macro trailing_weeks(n=none) -%}
    partition by customer_id order by weeks_back desc rows between
    {%- if n is none %} unbounded preceding {%- else %} {{ n - 1 }} preceding {%- endif %} and current row
{%- endmacro %}

{#- The non-null values of string expressions joined by a separator
    (null when all are null), portable: no concat_ws. -#}
{% macro join_present(exprs, separator) -%}
    {%- set pieces = [] -%}
    {%- for expr in exprs -%}
        {%- if loop.first -%}
            {%- do pieces.append('coalesce(' ~ expr ~ ", '')") -%}
        {%- else -%}
            {%- do pieces.append("case when " ~ expr ~ " is not null then " ~ dbt.concat(["'" ~ separator ~ "'", expr]) ~ " else '' end") -%}
        {%- endif -%}
    {%- endfor -%}
    nullif({{ dbt.concat(pieces) }}, '')
{%- endmacro %}

{#- The first n values of `value` per `key` of `relation` (a CTE), in the
    order `order_by`, as columns <prefix>1 .. <prefix>n (null when fewer):
    a customer's top reasons, top topics. -#}
{% macro top_ranked(relation, key, value, order_by, n, prefix) -%}
    select
        {{ key }},
        {%- for rank in range(1, n + 1) %}
            max(case when value_rank = {{ rank }} then {{ value }} end) as {{ prefix }}{{ rank }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ key }},
            {{ value }},
            row_number() over (partition by {{ key }} order by {{ order_by }}) as value_rank
        from {{ relation }}
    ) as ranked
    group by {{ key }}
{%- endmacro %}

{#- The columns <prefix>1 .. <prefix>n joined by a separator, nulls left out
    (what top_ranked returns, as one text). -#}
{% macro join_ranked(prefix, n, separator) -%}
    {%- set parts = [] -%}
    {%- for rank in range(1, n + 1) -%}
        {%- do parts.append(prefix ~ rank) -%}
    {%- endfor -%}
    {{ c360.join_present(parts, separator) }}
{%- endmacro %}
