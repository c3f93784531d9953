{#-
    Make raw files queryable as ordinary source relations (on-run-start).

    On DuckDB every staged raw table becomes a view `raw_<source>.<table>` over
    `<c360_raw_path>/<source>/<table>.parquet`, so sources, unit tests and
    freshness checks see real relations, exactly as on a warehouse where the
    raw schemas are loaded by an ingestion tool. A missing file fails the run
    before any model is built. Set `c360_raw_path` to '' when raw tables are
    already loaded into the DuckDB file. On Spark the same files become
    tables `raw_<source>.<table>` over the Parquet files (nothing is copied).
    PostgreSQL reads raw schemas loaded beforehand (`c360 load`, or any
    ingestion tool) and needs nothing here.
-#}
{% macro register_raw_files() -%}
    {{ return(adapter.dispatch('register_raw_files', 'c360')()) }}
{%- endmacro %}

{% macro default__register_raw_files() -%}
    select 1
{%- endmacro %}

{% macro duckdb__register_raw_files() -%}
    {%- set raw_path = var('c360_raw_path', env_var('C360_RAW_PATH', 'data/demo/raw')) -%}
    {%- set prefix = var('c360_raw_schema_prefix', 'raw_') -%}
    {%- set disabled = var('c360_disabled_sources', []) -%}
    {%- if not raw_path -%}
        select 1
    {%- else -%}
        {%- for source_name, table_names in var('c360_staged_tables').items() if source_name not in disabled %}
    create schema if not exists {{ prefix }}{{ source_name }};
            {%- for table_name in table_names %}
    create or replace view {{ prefix }}{{ source_name }}.{{ table_name }} as
        select * from read_parquet('{{ raw_path | replace("'", "''") }}/{{ source_name }}/{{ table_name }}.parquet');
            {%- endfor %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{% macro spark__register_raw_files() -%}
    {%- set raw_path = var('c360_raw_path', env_var('C360_RAW_PATH', 'data/demo/raw')) -%}
    {%- set prefix = var('c360_raw_schema_prefix', 'raw_') -%}
    {%- set disabled = var('c360_disabled_sources', []) -%}
    {%- if raw_path and execute -%}
        {%- for source_name, table_names in var('c360_staged_tables').items() if source_name not in disabled -%}
            {%- do run_query('create schema if not exists ' ~ prefix ~ source_name) -%}
            {%- for table_name in table_names -%}
                {%- set relation = prefix ~ source_name ~ '.' ~ table_name -%}
                {%- do run_query('drop table if exists ' ~ relation) -%}
                {%- do run_query('create table ' ~ relation ~ " using parquet location '"
                    ~ (raw_path ~ '/' ~ source_name ~ '/' ~ table_name ~ '.parquet') | replace("'", "\\'") ~ "'") -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
