{#-
    Geocoding coverage: for customers, stores and orders, how many rows
    geocoded at each match level and the share of the entity's rows; a row
    is geocoded when it has coordinates. Stores and orders are left out when
    the commerce source is off.
-#}
{%- set double = c360.type_double() -%}
{%- set entities = [('customers', 'int_customers__geocoded')] -%}
{%- if c360.source_enabled('commerce') -%}
    {%- do entities.extend([('stores', 'int_stores__geocoded'), ('orders', 'int_orders__geocoded')]) -%}
{%- endif -%}

with

{% for entity, model in entities -%}
    {{ entity }} as (
        select
            '{{ entity }}' as entity,
            match_level,
            latitude is not null and longitude is not null as is_geocoded
        from {{ ref(model) }}
    ),

{% endfor -%}

located as (
    {%- for entity, model in entities %}
        select * from {{ entity }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

levels as (
    select
        entity,
        match_level,
        is_geocoded,
        count(*) as row_count
    from located
    group by entity, match_level, is_geocoded
),

final as (
    select
        {{ dbt.concat(['entity', "':'", 'match_level']) }} as coverage_id,
        entity,
        match_level,
        is_geocoded,
        cast(row_count as {{ dbt.type_int() }}) as row_count,
        {{ c360.round_double('cast(row_count as ' ~ double ~ ') / sum(row_count) over (partition by entity)', 4) }}
            as share_of_entity,
        {{ c360.round_double(
            'cast(sum(case when is_geocoded then row_count else 0 end) over (partition by entity) as '
            ~ double ~ ') / sum(row_count) over (partition by entity)', 4) }} as entity_coverage
    from levels
)

select * from final
