{#-
    Schema drift, checked before any model is built (on-run-start, after the
    raw files are registered). Every table of every enabled source in the
    `c360_staged_tables` registry must exist and hold each declared column
    with a value of the declared kind (text, whole number, decimal number,
    true/false). A missing table or column, or a column of another kind,
    stops the run with one message naming the table and the column. Columns
    beyond the contract are ignored: base models read only declared columns.
-#}
{% macro check_raw_columns() -%}
    {%- if execute -%}
        {%- set staged = var('c360_staged_tables') -%}
        {%- set problems = [] -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id')
            if node.name in staged.get(node.source_name, []) -%}
            {%- set label = node.source_name ~ '.' ~ node.name ~ ' (' ~ node.schema ~ '.' ~ node.identifier ~ ')' -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.identifier) -%}
            {%- if relation is none -%}
                {%- do problems.append('raw table ' ~ label ~ ' does not exist') -%}
            {%- else -%}
                {%- set present = {} -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- do present.update({column.name | lower: column.dtype}) -%}
                {%- endfor -%}
                {%- set missing = [] -%}
                {%- for column in node.columns.values() -%}
                    {%- set name = column.name | lower -%}
                    {%- if name not in present -%}
                        {%- do missing.append(column.name) -%}
                    {%- elif column.data_type and c360.type_kind(present[name]) != c360.type_kind(column.data_type) -%}
                        {%- do problems.append('raw table ' ~ label ~ ': column ' ~ column.name ~ ' is '
                            ~ present[name] ~ ', declared ' ~ column.data_type) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- if missing -%}
                    {%- do problems.append('raw table ' ~ label ~ ' is missing required column'
                        ~ ('s ' if missing | length > 1 else ' ') ~ missing | join(', ')) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error('schema drift: ' ~ problems | join('; ')
                ~ '. The raw data contract is in models/staging/<source>/_<source>__sources.yml;'
                ~ ' switch a source off with c360_disabled_sources.') }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The kind of a column type, the same on every engine: text, integer, decimal, boolean or other. -#}
{% macro type_kind(data_type) -%}
    {%- set name = (data_type | lower).split('(')[0] | trim -%}
    {%- if name in ['varchar', 'text', 'string', 'character varying', 'char', 'character', 'bpchar'] -%}
        {{ return('text') }}
    {%- elif name in ['bigint', 'integer', 'int', 'smallint', 'tinyint', 'hugeint', 'int8', 'int4', 'int2', 'long'] -%}
        {{ return('integer') }}
    {%- elif name in ['double', 'double precision', 'float', 'real', 'float8', 'float4', 'decimal', 'numeric'] -%}
        {{ return('decimal') }}
    {%- elif name in ['boolean', 'bool'] -%}
        {{ return('boolean') }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}
