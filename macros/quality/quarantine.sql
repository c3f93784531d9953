{#-
    Row-level data-quality rules shared by every base model.

    A base model cleans one raw table and tags each row with the first rule it
    fails (`dq_rule`, null when the row is clean). The staging model keeps the
    clean rows; `dq_quarantine` collects the others with their raw values, so
    every raw row is accounted for:  raw rows = staged rows + quarantined rows.

    Rules, strongest first:
      null_key               the record key is missing
      value_too_long         a text value longer than its column allows
      control_characters     a text value holding a control character
      unparseable_timestamp  a non-blank timestamp or date that does not parse
      implausible_date       a date or timestamp outside c360_plausible_dates
      future_timestamp       an event later than the row's load time + tolerance
      non_numeric_amount     a non-blank money value that is not a number
      negative_amount        a money value below zero
      <custom>               table-specific rules (for example out_of_range_score)
      exact_duplicate        an identical copy of an earlier row (the copy goes)
      conflicting_duplicate  same key, other values, loaded earlier than the
                             surviving row: the latest load among the versions
                             that pass every other rule wins
-#}

{#- The raw row as JSON text (all columns, as they arrived). -#}
{% macro raw_values(relation_alias='source') -%}
    {{ c360.row_to_json_text(relation_alias) }}
{%- endmacro %}


{#-
    The declaration of a raw table (its node in dbt's graph), or none while
    dbt parses the project (and in unit tests, whose graph has no sources).
-#}
{% macro raw_table_node(source_name, table_name) -%}
    {%- if execute -%}
        {%- for node in (graph.get('sources') or {}).values()
            if node.source_name == source_name and node.name == table_name -%}
            {{ return(node) }}
        {%- endfor -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#-
    The declared columns of a raw table, in contract order, for a base model's
    `source` CTE: columns a raw table has beyond its contract are ignored, so
    they reach neither the staged rows nor the raw values kept in quarantine.
    `*` while dbt parses the project, or for a table declared without columns.
-#}
{% macro raw_columns(source_name, table_name) -%}
    {%- set node = c360.raw_table_node(source_name, table_name) -%}
    {%- if node is none or not node.columns -%}
        *
    {%- else -%}
        {{ node.columns.values() | map(attribute='name') | join(', ') }}
    {%- endif -%}
{%- endmacro %}


{#- `case` over rule fragments: the name of the first rule a row fails. -#}
{% macro first_failed_rule(fragments) -%}
    case
        {%- for fragment in fragments if fragment %}
        {{ fragment }}
        {%- endfor %}
    end
{%- endmacro %}


{% macro rule_null_key(key_expr) -%}
    when {{ c360.clean_id(key_expr) }} is null then 'null_key'
{%- endmacro %}


{#-
    Rules on every declared text column of the raw table:
      value_too_long      more characters than the column's `meta: {max_length: N}`
                          in its source declaration, else `c360_max_text_length`
      control_characters  a character below U+0020 other than tab, line feed and
                          carriage return, or DEL (U+007F): binary junk, terminal
                          escape sequences, a NUL from a broken export
-#}
{% macro rule_text_values(source_name, table_name, relation_alias='source') -%}
    {%- set node = c360.raw_table_node(source_name, table_name) -%}
    {%- set default_limit = var('c360_max_text_length', 1000) | int -%}
    {%- set too_long = [] -%}
    {%- set texts = [] -%}
    {%- if node is not none -%}
        {%- for column in node.columns.values() if (column.data_type or '') | lower in ['varchar', 'text', 'string'] -%}
            {%- set raw = relation_alias ~ '.' ~ column.name -%}
            {%- set limit = (column.meta or {}).get('max_length', default_limit) | int -%}
            {%- do too_long.append('length(' ~ raw ~ ') > ' ~ limit) -%}
            {%- do texts.append('coalesce(' ~ raw ~ ", '')") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if too_long -%}
    when {{ too_long | join('\n            or ') }} then 'value_too_long'
        when {{ c360.regexp_matches(dbt.concat(texts), c360.control_character_pattern()) }} then 'control_characters'
    {%- endif -%}
{%- endmacro %}


{% macro rule_unparseable_timestamp(columns, relation_alias='source') -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- set raw = relation_alias ~ '.' ~ column -%}
        {%- do checks.append('(nullif(trim(' ~ raw ~ "), '') is not null and "
            ~ c360.try_cast_timestamp_utc(raw) ~ ' is null)') -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'unparseable_timestamp'
{%- endmacro %}


{% macro rule_unparseable_date(columns, relation_alias='source') -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- set raw = relation_alias ~ '.' ~ column -%}
        {%- do checks.append('(nullif(trim(' ~ raw ~ "), '') is not null and "
            ~ c360.try_cast_date(raw) ~ ' is null)') -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'unparseable_timestamp'
{%- endmacro %}


{#-
    A timestamp (`columns`) or date (`date_columns`) that parses but lies
    outside `c360_plausible_dates`: placeholders such as 1900-01-01 or
    9999-12-31, a birth date in the next century.
-#}
{% macro rule_implausible_date(columns, date_columns=[], relation_alias='source') -%}
    {%- set bounds = var('c360_plausible_dates', {}) -%}
    {%- set earliest = "cast('" ~ bounds.get('earliest', '1901-01-01') ~ "' as date)" -%}
    {%- set latest = "cast('" ~ bounds.get('latest', '2099-12-31') ~ "' as date)" -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- do values.append('cast(' ~ c360.try_cast_timestamp_utc(relation_alias ~ '.' ~ column) ~ ' as date)') -%}
    {%- endfor -%}
    {%- for column in date_columns -%}
        {%- do values.append(c360.try_cast_date(relation_alias ~ '.' ~ column)) -%}
    {%- endfor -%}
    {%- set checks = [] -%}
    {%- for value in values -%}
        {%- do checks.append(value ~ ' < ' ~ earliest ~ ' or ' ~ value ~ ' > ' ~ latest) -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'implausible_date'
{%- endmacro %}


{#- An event cannot happen after the row that records it was loaded. -#}
{% macro rule_future_timestamp(columns, loaded_at_column='_loaded_at', relation_alias='source') -%}
    {%- set loaded_at = c360.try_cast_timestamp_utc(relation_alias ~ '.' ~ loaded_at_column) -%}
    {%- set limit = dbt.dateadd('hour', var('c360_future_tolerance_hours', 24), loaded_at) -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append(c360.try_cast_timestamp_utc(relation_alias ~ '.' ~ column) ~ ' > ' ~ limit) -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'future_timestamp'
{%- endmacro %}


{% macro rule_non_numeric_amount(columns, relation_alias='source') -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- set raw = relation_alias ~ '.' ~ column -%}
        {%- do checks.append('(nullif(trim(' ~ raw ~ "), '') is not null and "
            ~ c360.try_cast_decimal(raw) ~ ' is null)') -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'non_numeric_amount'
{%- endmacro %}


{#- A count (typed integer column) below zero: `negative_count`. -#}
{% macro rule_negative_count(columns, relation_alias='source') -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append(relation_alias ~ '.' ~ column ~ ' < 0') -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'negative_count'
{%- endmacro %}


{#- An interval that ends before it starts (cleaned timestamps): `ended_before_started`. -#}
{% macro rule_ended_before_started(start_expr, end_expr) -%}
    when {{ end_expr }} < {{ start_expr }} then 'ended_before_started'
{%- endmacro %}


{% macro rule_negative_amount(columns, relation_alias='source') -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append(c360.try_cast_decimal(relation_alias ~ '.' ~ column) ~ ' < 0') -%}
    {%- endfor -%}
    when {{ checks | join('\n            or ') }} then 'negative_amount'
{%- endmacro %}


{#-
    The last step of a base model: exact copies and superseded versions of a
    key are tagged, and `dq_rule` is the first rule each row fails.
    `relation` must carry the cleaned key, `loaded_at`, `_raw_values` and
    `_row_rule` (from first_failed_rule). The key is also kept as text in
    `_record_key` for the quarantine.
-#}
{% macro resolve_duplicates(relation, key) -%}
    select
        *,
        cast({{ key }} as {{ dbt.type_string() }}) as _record_key,
        coalesce(
            _row_rule,
            case
                when _raw_copy_number > 1 then 'exact_duplicate'
                when row_number() over (
                    partition by {{ key }}, _row_rule is null and _raw_copy_number = 1
                    order by loaded_at desc, _raw_values desc
                ) > 1 then 'conflicting_duplicate'
            end
        ) as dq_rule
    from (
        select
            *,
            row_number() over (partition by _raw_values order by loaded_at) as _raw_copy_number
        from {{ relation }}
    ) as numbered
{%- endmacro %}

