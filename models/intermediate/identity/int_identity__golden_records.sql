{#-
    One row per customer: the surviving value of each attribute and where it
    came from, by the rules in var `c360_golden_record`. Each attribute is a
    group of columns taken together from one record; provenance columns name
    the table, record and record time that supplied it.
-#}
{%- set settings = var('c360_golden_record', {}) -%}
{%- set priority = settings.get('source_priority', []) -%}
{%- set attributes = settings.get('attributes', {}) -%}
{%- set rules = ['source_priority', 'most_recent', 'most_frequent'] -%}
{%- set blockable = ['email', 'phone', 'social_handle'] -%}
{%- set min_name_length = var('c360_identity', {}).get('min_name_key_length', 2) -%}
{%- for name, attribute in attributes.items() -%}
    {%- if attribute.get('rule') not in rules -%}
        {{ exceptions.raise_compiler_error('c360_golden_record.attributes.' ~ name ~ '.rule must be one of ' ~ rules | join(', ') ~ ', not ' ~ attribute.get('rule')) }}
    {%- endif -%}
    {%- if not attribute.get('columns') -%}
        {{ exceptions.raise_compiler_error('c360_golden_record.attributes.' ~ name ~ '.columns is required') }}
    {%- endif -%}
{%- endfor %}

with

records as (
    select * from {{ ref('int_identity__records') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

clusters as (
    select * from {{ ref('int_identity__clusters') }}
),

customers as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__customers') }}
),

blocked_values as (
    select distinct
        record_key,
        identifier_type
    from identifiers
    where is_blocked
),

customer_records as (
    select
        customers.customer_id,
        records.record_key,
        {{ dbt.concat(['records.source_name', "'.'", 'records.table_name']) }} as source_table,
        records.record_at,
        case
            {%- for table in priority %}
                when {{ dbt.concat(['records.source_name', "'.'", 'records.table_name']) }} = '{{ table }}'
                    then {{ loop.index }}
            {%- endfor %}
            else {{ priority | length + 1 }}
        end as source_rank,
        case when length(records.first_name_key) >= {{ min_name_length }} then records.first_name end as first_name,
        case when length(records.last_name_key) >= {{ min_name_length }} then records.last_name end as last_name,
        {%- for column in blockable %}
            case when blocked_{{ column }}.record_key is null then records.{{ column }} end as {{ column }},
        {%- endfor %}
        records.birth_date,
        records.street_line,
        records.street_key,
        records.postal_code,
        records.city,
        records.country_code
    from records
    inner join clusters
        on records.record_key = clusters.record_key
    inner join customers
        on clusters.cluster_id = customers.cluster_id
    {%- for column in blockable %}
        left join blocked_values as blocked_{{ column }}
            on
                records.record_key = blocked_{{ column }}.record_key
                and blocked_{{ column }}.identifier_type = '{{ column }}'
    {%- endfor %}
),

{% for name, attribute in attributes.items() -%}
    {%- set columns = attribute.columns -%}
    {%- set required = attribute.get('required', columns[:1]) -%}
    {%- set rule = attribute.rule -%}
    {%- set recency = 'case when record_at is null then 1 else 0 end, record_at desc' -%}
    {%- if rule == 'source_priority' -%}
        {%- set ordering = ['source_rank', recency, 'record_key'] -%}
    {%- elif rule == 'most_recent' -%}
        {%- set ordering = [recency, 'source_rank', 'record_key'] -%}
    {%- else -%}
        {%- set ordering = ['value_frequency desc', 'source_rank', recency, 'record_key'] -%}
    {%- endif %}
    candidates_{{ name }} as (
        select
            customer_id,
            record_key,
            source_table,
            record_at,
            source_rank,
            {{ columns | join(', ') }},
            count(*) over (partition by customer_id, {{ columns | join(', ') }}) as value_frequency
        from customer_records
        where
            {%- for column in required %}
                {{ column }} is not null{% if not loop.last %} and{% endif %}
            {%- endfor %}
    ),

    ranked_{{ name }} as (
        select
            *,
            row_number() over (partition by customer_id order by {{ ordering | join(', ') }}) as survivor_rank
        from candidates_{{ name }}
    ),

    survivor_{{ name }} as (
        select
            customer_id,
            {%- for column in columns %}
                {{ column }},
            {%- endfor %}
            source_table as {{ name }}_source_table,
            record_key as {{ name }}_record_key,
            record_at as {{ name }}_recorded_at
        from ranked_{{ name }}
        where survivor_rank = 1
    ),

{% endfor -%}

final as (
    select
        customers.customer_id,
        {%- for name, attribute in attributes.items() %}
            {%- for column in attribute.columns %}
                survivor_{{ name }}.{{ column }},
            {%- endfor %}
            survivor_{{ name }}.{{ name }}_source_table,
            survivor_{{ name }}.{{ name }}_record_key,
            survivor_{{ name }}.{{ name }}_recorded_at,
        {%- endfor %}
        customers.record_count,
        customers.source_count,
        customers.first_record_at,
        customers.last_record_at
    from customers
    {% for name in attributes -%}
        left join survivor_{{ name }}
            on customers.customer_id = survivor_{{ name }}.customer_id
    {% endfor %}
)

select * from final
