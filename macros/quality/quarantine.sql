{#-
    Row-level data-quality rules shared by every base model.

    A base model cleans one raw table and tags each row with the first rule it
    fails (`dq_rule`, null when the row is clean). The staging model keeps the
    clean rows; `dq_quarantine` collects the others with their raw values, so
    every raw row is accounted for:  raw rows = staged rows + quarantined rows.

    Rules, strongest first:
      null_key               the record key is missing
      unparseable_timestamp  a non-blank timestamp or date that does not parse
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

