{#-
    Text enrichment (`c360 enrich`, scripts/c360/text): which staged free
    texts are scored (var c360_text.sources), and the tables the scores are
    written to, declared once. The tables are created empty at the start of
    every dbt run (on-run-start), so a build before any enrichment works and
    the text columns of customer_360 are empty. Schema:
    `<target schema>_enrichment`.
-#}
{% macro enrichment_tables() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {{ return({
        'text_sentiment': [
            ('source_table', text), ('record_id', text), ('content_hash', text),
            ('sentiment_score', c360.type_double()), ('sentiment_label', text),
            ('scorer', text), ('scorer_version', text), ('enriched_at', ts)],
        'text_topics': [
            ('source_table', text), ('record_id', text), ('content_hash', text),
            ('topic', text), ('matched_keyword', text), ('enriched_at', ts)],
    }) }}
{%- endmacro %}

{% macro enrichment_schema() -%}
    {{ return(target.schema ~ '_enrichment') }}
{%- endmacro %}

{% macro create_enrichment_tables() -%}
    {{ return(c360.create_declared_tables(c360.enrichment_schema(), c360.enrichment_tables())) }}
{%- endmacro %}


{#-
    The texts enriched, in order: [{key: 'support.ticket_messages',
    source_name, table_name, model, record_id, text, written_at, where,
    identity: {table, record_id}}], sources switched off skipped.
    `identity` names the person record the text belongs to (default: its
    own row).
-#}
{% macro text_sources() -%}
    {%- set disabled = var('c360_disabled_sources', []) -%}
    {%- set declared = var('c360_text', {}).get('sources', {}) -%}
    {%- set out = [] -%}
    {%- for key, spec in declared.items() -%}
        {%- set source_name, table_name = key.split('.') -%}
        {%- for required in ['record_id', 'text', 'written_at'] if not spec.get(required) -%}
            {{ exceptions.raise_compiler_error('c360_text.sources.' ~ key ~ ': ' ~ required ~ ' is required') }}
        {%- endfor -%}
        {%- if source_name not in disabled -%}
            {%- set identity = spec.get('identity', {}) -%}
            {%- do out.append({
                'key': key, 'source_name': source_name, 'table_name': table_name,
                'model': spec.get('model', 'stg_' ~ source_name ~ '__' ~ table_name),
                'record_id': spec.record_id, 'text': spec.text, 'written_at': spec.written_at,
                'where': spec.get('where'),
                'identity': {'table': identity.get('table', key), 'record_id': identity.get('record_id', spec.record_id)},
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}


{#- The MD5 (hex) of a text as `c360 enrich` keys it: of its UTF-8 bytes. -#}
{% macro text_content_hash(expr) -%}
    {{ dbt.hash(expr) }}
{%- endmacro %}


{#- Deletes the enrichment rows of erased records (the register's record
    key hashes) from the enrichment tables; part of erase_registered_rows. -#}
{% macro erase_enrichment_rows(register) -%}
    {%- set erased = [] -%}
    {%- for name in c360.enrichment_tables() -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=c360.enrichment_schema(), identifier=name) -%}
        {%- if relation is not none -%}
            {%- do c360.delete_rows(relation, c360.sha256_hex(dbt.concat(['source_table', "':'", 'record_id']))
                ~ ' in (select record_key_hash from ' ~ register ~ ' where record_key_hash is not null)') -%}
            {%- do erased.append(relation.identifier) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(erased) }}
{%- endmacro %}
