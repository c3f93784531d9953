{#-
    Event-like staging models (events, sessions, orders, order lines,
    tickets, ticket messages, mentions, marketing touches, survey responses,
    invoices, payments) build incrementally.

    A run re-reads only the keys that have a raw row loaded after the newest
    `loaded_at` already built minus `c360_incremental_lookback_hours`
    (late-arriving rows, loaders that deliver out of order), plus any key
    with a row without a load time. Their resolved version is taken from
    the base model, which already settled replays (exact copies) and newer
    versions of a key against every raw row, and replaces what the target
    held for those keys (delete+insert on the key). The result equals a
    full refresh.

    On Spark, rows can only be replaced in table formats that support it:
    set `c360_spark_file_format` to delta, iceberg or hudi to build these
    models incrementally (merge); on plain Parquet tables they rebuild in
    full on every run.
-#}
{% macro incremental_event_config(unique_key) -%}
    {{ return(adapter.dispatch('incremental_event_config', 'c360')(unique_key)) }}
{%- endmacro %}

{% macro default__incremental_event_config(unique_key) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}

{% macro spark__incremental_event_config(unique_key) -%}
    {%- set file_format = var('c360_spark_file_format', 'parquet') -%}
    {%- if file_format in ['delta', 'iceberg', 'hudi'] -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'merge',
            'file_format': file_format,
            'unique_key': unique_key,
            'on_schema_change': 'append_new_columns',
        }) }}
    {%- else -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
{%- endmacro %}


{#-
    The condition (to AND onto the model's filter of `base_relation`) that
    keeps, in an incremental run, only the keys with a raw row loaded within
    the lookback window; nothing in a full build.
-#}
{% macro incremental_event_filter(base_relation, key) -%}
    {%- if is_incremental() -%}
        {%- set lookback = var('c360_incremental_lookback_hours', 72) | int -%}
        {%- set newest_built = 'coalesce(max(loaded_at), cast(' ~ "'1900-01-01 00:00:00'" ~ ' as ' ~ dbt.type_timestamp() ~ '))' -%}
    and {{ key }} in (
        select recent.{{ key }}
        from {{ base_relation }} as recent
        where
            recent.loaded_at is null
            or recent.loaded_at > (
                select {{ dbt.dateadd('hour', -1 * lookback, newest_built) }}
                from {{ this }}
            )
    )
    {%- endif -%}
{%- endmacro %}
