{#-
    Tables a script or an incremental model writes into, declared once as
    {name: [(column, data_type), ...]} and created empty in `schema` when
    missing (the score tables, the erasure register). Existing tables are
    left as they are.
-#}
{% macro create_declared_tables(schema, tables) -%}
    {{ return(adapter.dispatch('create_declared_tables', 'c360')(schema, tables)) }}
{%- endmacro %}

{% macro default__create_declared_tables(schema, tables) -%}
    create schema if not exists {{ schema }};
    {%- for name, columns in tables.items() %}
    create table if not exists {{ schema }}.{{ name }} (
        {%- for column, data_type in columns %}
        {{ column }} {{ data_type }}{{ "," if not loop.last }}
        {%- endfor %}
    );
    {%- endfor %}
{%- endmacro %}

{#- Spark runs one statement per call; the tables are Parquet. -#}
{% macro spark__create_declared_tables(schema, tables) -%}
    {%- if execute -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- for name, columns in tables.items() -%}
            {%- set cols = [] -%}
            {%- for column, data_type in columns -%}{%- do cols.append(column ~ ' ' ~ data_type) -%}{%- endfor -%}
            {%- do run_query('create table if not exists ' ~ schema ~ '.' ~ name
                ~ ' (' ~ cols | join(', ') ~ ') using parquet') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
