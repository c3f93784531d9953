{#-
    Generic data tests of this project (no package hub is needed).
-#}

{#-
    Every raw row is accounted for: raw rows = staged rows + quarantined
    rows + erased rows (rows the erasure register holds, which base models
    leave out). Applied to each staging model that stages one raw table.
-#}
{% test raw_rows_accounted_for(model, source_name, table_name) %}
{%- set table_key = source_name ~ '.' ~ table_name -%}
{%- set in_scope = table_key in (c360.erasure_tables() | selectattr('staged') | map(attribute='key') | list) -%}
with

raw_rows as (
    select count(*) as row_count from {{ source(source_name, table_name) }}
),

staged_rows as (
    select count(*) as row_count from {{ model }}
),

quarantined_rows as (
    select count(*) as row_count
    from {{ ref('dq_quarantine') }}
    where source_name = '{{ source_name }}' and table_name = '{{ table_name }}'
),

erased_rows as (
    {%- if in_scope %}
    select count(*) as row_count
    from (
        select
            cast({{ c360.clean_id('source.' ~ c360.erasure_table_key_column(table_key)) }} as {{ dbt.type_string() }}) as record_key,
            {{ c360.raw_values() }} as raw_values
        from {{ source(source_name, table_name) }} as source
    ) as keyed
    where {{ c360.is_erased(table_key, 'keyed.record_key', 'keyed.raw_values') }}
    {%- else %}
    select 0 as row_count
    {%- endif %}
),

final as (
    select
        raw_rows.row_count as raw_row_count,
        staged_rows.row_count as staged_row_count,
        quarantined_rows.row_count as quarantined_row_count,
        erased_rows.row_count as erased_row_count
    from raw_rows
    cross join staged_rows
    cross join quarantined_rows
    cross join erased_rows
)

select * from final
where raw_row_count != staged_row_count + quarantined_row_count + erased_row_count
{% endtest %}


{#- Values lie within [min_value, max_value] (either bound optional). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %}
    {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
    {%- else %} 1 = 0 {%- endif %}
    or
    {%- if max_value is not none %}
    {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
    {%- else %} 1 = 0 {%- endif %}
  )
{% endtest %}


{#- A boolean SQL expression holds for every row. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}


{#- A value matches a regular expression (portable pattern, see macros/cross_db/regex.sql). -#}
{% test matches_pattern(model, column_name, pattern) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and not {{ c360.regexp_matches(column_name, pattern) }}
{% endtest %}


{#- The combination of columns is unique. -#}
{% test unique_combination(model, combination) %}
select {{ combination | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
