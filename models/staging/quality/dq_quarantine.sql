{#-
    Every raw row that failed a data-quality rule, with the rule and the raw
    values. Tables come from the `c360_staged_tables` registry in
    dbt_project.yml; disabled sources are skipped.
-#}
{%- set disabled = var('c360_disabled_sources', []) -%}
{%- set tables = [] -%}
{%- for source_name, table_names in var('c360_staged_tables').items() if source_name not in disabled -%}
    {%- for table_name in table_names -%}
        {%- do tables.append((source_name, table_name)) -%}
    {%- endfor -%}
{%- endfor -%}

with

unioned as (
    {% for source_name, table_name in tables %}
        select
            '{{ source_name }}' as source_name,
            '{{ table_name }}' as table_name,
            _record_key as record_key,
            dq_rule,
            _raw_values as raw_values,
            _raw_copy_number as raw_copy_number,
            loaded_at
        from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }}
        where dq_rule is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "source_name", "'.'", "table_name", "'|'", "raw_values", "'|'",
            "cast(raw_copy_number as " ~ dbt.type_string() ~ ")"
        ])) }} as quarantine_id,
        source_name,
        table_name,
        record_key,
        dq_rule,
        raw_values,
        raw_copy_number,
        loaded_at
    from unioned
)

select * from final
