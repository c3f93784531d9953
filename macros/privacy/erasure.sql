{#-
    Erasure requests (right to be forgotten): who is erased, where their
    rows are, and how every relation forgets them.

    The register (`<schema>_privacy.erasure_register`, model
    models/marts/privacy/erasure_register) holds one row per honoured
    request and erased row: the SHA-256 of the row's record key
    `<source>.<table>:<record id>` (a quarantined row without a key:
    `<source>.<table>:raw:<md5 of its raw values>`), never the key itself.
    From the next build on, every base model of a table in scope drops the
    rows whose record key hash is registered (`not_erased`), so staging, the
    quarantine and every model built on them forget the person, and
    `erase_registered_rows` (at the start of that build) deletes them from
    what a build does not rebuild (incremental staging tables, snapshots,
    score tables).

    The tables in scope (var c360_erasure, sources switched off skipped):
      - every person record of c360_identity.records (kind `record`);
      - every table listed under c360_erasure.links (kind `link`), whose rows
        belong to erased rows of a parent table, in the order declared.
-#}

{% macro erasure_settings() -%}
    {%- set settings = var('c360_erasure', {}) -%}
    {{ return({
        'honoured_statuses': settings.get('honoured_statuses', ['received', 'completed']),
        'identifiers': settings.get('identifiers', [
            'crm_contact_id', 'billing_customer_id', 'web_customer_id', 'loyalty_number', 'app_user_id',
            'device_id', 'email', 'phone', 'social_handle']),
        'links': settings.get('links', {}),
    }) }}
{%- endmacro %}


{#- The schema of the register and the evidence: `<target schema>_privacy`. -#}
{% macro erasure_schema() -%}
    {{ return(target.schema ~ '_privacy') }}
{%- endmacro %}


{#- The register's columns, declared once: created empty at the start of
    every run (on-run-start) and appended to by the register model. -#}
{% macro erasure_register_columns() -%}
    {%- set text = dbt.type_string() -%}
    {{ return([
        ('request_id', text), ('source_table', text), ('record_key_hash', text),
        ('customer_id_hash', text), ('erasure_rule', text), ('registered_at', dbt.type_timestamp()),
        ('invocation_id', text)]) }}
{%- endmacro %}

{#- The register is created by a hook, not by dbt: dbt's relation cache
    is told, so that the register model appends to it (incremental). -#}
{% macro create_erasure_register() -%}
    {%- if execute -%}
        {%- do adapter.cache_added(api.Relation.create(
            database=target.get('database'), schema=c360.erasure_schema(), identifier='erasure_register', type='table')) -%}
    {%- endif -%}
    {{ return(c360.create_declared_tables(c360.erasure_schema(), {'erasure_register': c360.erasure_register_columns()})) }}
{%- endmacro %}


{#-
    The tables in scope, in processing order: [{key: 'commerce.orders',
    source_name, table_name, kind: 'record' | 'link', staged: whether it has
    base and staging models of its own (a person record read from another
    table's model, such as usage.devices from the sessions, has not),
    mapping (records) or links (links)}].
-#}
{% macro erasure_tables() -%}
    {%- set disabled = var('c360_disabled_sources', []) -%}
    {%- set tables = [] -%}
    {%- set known = [] -%}
    {%- for table_key, mapping in var('c360_identity', {}).get('records', {}).items() -%}
        {%- set source_name, table_name = table_key.split('.') -%}
        {%- if source_name not in disabled -%}
            {%- set own_model = 'stg_' ~ source_name ~ '__' ~ table_name -%}
            {%- do tables.append({'key': table_key, 'source_name': source_name, 'table_name': table_name,
                'kind': 'record', 'mapping': mapping, 'staged': mapping.get('model', own_model) == own_model}) -%}
            {%- do known.append(table_key) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table_key, links in c360.erasure_settings().links.items() -%}
        {%- set source_name, table_name = table_key.split('.') -%}
        {%- if source_name not in disabled -%}
            {%- set kept = [] -%}
            {%- for link in links -%}
                {%- set other = link.get('parent') or link.get('referenced_by') -%}
                {%- if not other or not link.get('column') -%}
                    {{ exceptions.raise_compiler_error('c360_erasure.links.' ~ table_key ~ ': each link needs a column and a parent (or referenced_by)') }}
                {%- endif -%}
                {%- if other.split('.')[0] not in disabled -%}
                    {%- if other not in known -%}
                        {{ exceptions.raise_compiler_error('c360_erasure.links.' ~ table_key ~ ': ' ~ other ~ ' must be a person record (c360_identity.records) or a table linked before ' ~ table_key) }}
                    {%- endif -%}
                    {%- do kept.append(link) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do tables.append({'key': table_key, 'source_name': source_name, 'table_name': table_name,
                'kind': 'link', 'links': kept, 'staged': true}) -%}
            {%- do known.append(table_key) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}


{#- The key column of a staged table (its source's meta.primary_key). -#}
{% macro erasure_table_key_column(table_key) -%}
    {%- if not execute -%}
        {{ return('_key') }}
    {%- endif -%}
    {%- set source_name, table_name = table_key.split('.') -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name) -%}
    {%- set key = ((node.meta if node else {}) or {}).get('primary_key') -%}
    {%- if not key -%}
        {{ exceptions.raise_compiler_error('erasure: source ' ~ table_key ~ ' declares no meta.primary_key') }}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}


{#- A row's record id: its key, or for a row without one (quarantined as
    null_key) `raw:` and the md5 of its raw values. -#}
{% macro erasure_record_id(key_expr, raw_values_expr=none) -%}
    {%- if raw_values_expr is none -%}
        {{ key_expr }}
    {%- else -%}
        case
            when {{ key_expr }} is not null then {{ key_expr }}
            else {{ dbt.concat(["'raw:'", dbt.hash(raw_values_expr)]) }}
        end
    {%- endif -%}
{%- endmacro %}


{#- The record id of a row of a base model aliased `alias`. -#}
{% macro erasure_row_id(alias) -%}
    {{ c360.erasure_record_id(alias ~ '._record_key', alias ~ '._raw_values') }}
{%- endmacro %}


{#- The base model of a staged table `<source>.<table>`. -#}
{% macro erasure_base(table_key) -%}
    {%- set source_name, table_name = table_key.split('.') -%}
    {{ return(ref('base_' ~ source_name ~ '__' ~ table_name)) }}
{%- endmacro %}


{#- When rows were registered: the start of the run (UTC), one value for
    the register and the evidence of a build. -#}
{% macro erasure_registered_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- SHA-256 (hex) of `<source>.<table>:<record id>`. -#}
{% macro erasure_record_hash(table_key, key_expr, raw_values_expr=none) -%}
    {{ c360.sha256_hex(dbt.concat(["'" ~ table_key ~ ":'", c360.erasure_record_id(key_expr, raw_values_expr)])) }}
{%- endmacro %}


{#- True for a row of `table_key` the register holds. Rows registered by
    this very run are left to the next one: every model of a build sees the
    same register, whichever it runs before or after the register model. -#}
{% macro is_erased(table_key, key_expr, raw_values_expr=none, register=none) -%}
    exists (
        select 1
        from {{ register or source('erasure', 'erasure_register') }} as erased
        where
            erased.source_table = '{{ table_key }}'
            and erased.record_key_hash = {{ c360.erasure_record_hash(table_key, key_expr, raw_values_expr) }}
            and erased.invocation_id <> '{{ invocation_id }}'
    )
{%- endmacro %}


{#- The where-condition of a base model (after resolve_duplicates, which
    adds `_record_key` and `_raw_values`): rows the register holds are left
    out, so neither staging nor the quarantine keeps them. -#}
{% macro not_erased(table_key) -%}
    not {{ c360.is_erased(table_key, '_record_key', '_raw_values') }}
{%- endmacro %}


{#- An identifier value of a person record as int_identity__records keys it,
    from an expression over a staged or base column. -#}
{% macro erasure_identifier_value(identifier_type, expr) -%}
    {%- set cleaned = c360.clean_id(expr) -%}
    {%- if identifier_type == 'email' -%}
        {{ c360.identity_email_key(cleaned) }}
    {%- elif identifier_type == 'social_handle' -%}
        {{ c360.clean_handle(cleaned) }}
    {%- else -%}
        {{ cleaned }}
    {%- endif -%}
{%- endmacro %}


{#-
    Deletes the rows registered by earlier runs from what a build does not
    rebuild: the incremental staging tables, the snapshots of staged tables
    in scope, the score tables' rows of erased customers and the text
    enrichment rows of erased records. Runs at the
    start of every run (on-run-start, before any model reads them) and as
    `c360 erase` (dbt run-operation erase_registered_rows). Relations that
    do not exist are skipped.
-#}
{% macro erase_registered_rows() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set register = adapter.get_relation(database=target.get('database'), schema=c360.erasure_schema(), identifier='erasure_register') -%}
    {%- if register is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts = run_query('select source_table, count(*) as n from ' ~ register ~ ' group by source_table') -%}
    {%- set registered = counts.columns[0].values() | list -%}
    {%- if registered | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set targets = [] -%}
    {%- for t in c360.erasure_tables() if t.staged and t.key in registered -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.stg_' ~ t.source_name ~ '__' ~ t.table_name) -%}
        {%- if node and node.config.materialized == 'incremental' -%}
            {%- do targets.append((node, t.key, c360.erasure_table_key_column(t.key))) -%}
        {%- endif -%}
        {%- for snapshot in graph.nodes.values() if snapshot.resource_type == 'snapshot'
            and node and node.unique_id in snapshot.depends_on.nodes -%}
            {%- do targets.append((snapshot, t.key, snapshot.config.unique_key)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set erased = [] -%}
    {%- for node, table_key, key_column in targets -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- do c360.delete_rows(relation, c360.is_erased(table_key, key_column, register=register)) -%}
            {%- do erased.append(relation.identifier) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, columns in c360.score_tables().items() if 'customer_id' in (columns | map('first') | list) -%}
        {%- set relation = adapter.get_relation(database=target.get('database'), schema=c360.score_schema(), identifier=name) -%}
        {%- if relation is not none -%}
            {%- do c360.delete_rows(relation, 'customer_id is not null and ' ~ c360.sha256_hex('customer_id')
                ~ ' in (select customer_id_hash from ' ~ register ~ ')') -%}
            {%- do erased.append(relation.identifier) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in c360.erase_enrichment_rows(register) -%}
        {%- do erased.append(name) -%}
    {%- endfor -%}
    {{ log('erasure: registered rows deleted, where any were left, from ' ~ (erased | join(', ') or 'no relation'), info=true) }}
    {{ return('') }}
{%- endmacro %}


{#- Delete the rows of `relation` that meet `condition` (SQL over its columns). -#}
{% macro delete_rows(relation, condition) -%}
    {{ return(adapter.dispatch('delete_rows', 'c360')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_rows(relation, condition) -%}
    {%- call statement('delete_rows', auto_begin=true) -%}
        delete from {{ relation }} where {{ condition }}
    {%- endcall -%}
    {%- do adapter.commit() -%}
{%- endmacro %}

{#- Spark: the kept rows are copied aside and written back (Parquet tables
    have no DELETE; delta, iceberg and hudi accept the same rewrite). -#}
{% macro spark__delete_rows(relation, condition) -%}
    {%- set kept = relation.schema ~ '.' ~ relation.identifier ~ '__kept' -%}
    {%- do run_query('drop table if exists ' ~ kept) -%}
    {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ relation
        ~ ' where not (' ~ condition ~ ')') -%}
    {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ kept) -%}
    {%- do run_query('drop table if exists ' ~ kept) -%}
{%- endmacro %}
