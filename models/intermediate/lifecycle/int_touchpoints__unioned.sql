{#-
    Every touchpoint of every resolved customer in one stream: one row per
    event in a source (an order, a session, a ticket ...), with the customer
    from customer_identity_map, known as of the build's as-of date. Which
    staged tables contribute, and how their columns map onto the stream, is
    declared in var c360_touchpoints (macros/lifecycle/touchpoints.sql);
    sources switched off (c360_disabled_sources) contribute nothing.
-#}
{%- set as_of_at = c360.as_of_at() -%}
{%- set declarations = c360.touchpoint_declarations() -%}
{%- set imported = [] -%}
{%- for declaration in declarations -%}
    {%- for model in [declaration.model] + ([declaration.join.model] if declaration.join else []) -%}
        {%- if model not in imported -%}{%- do imported.append(model) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor %}

with

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),
{% for model in imported %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),
{% endfor %}

unioned as (
    {%- for declaration in declarations %}
        {{ c360.touchpoint_select(declaration, as_of_at) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if declarations | length == 0 %}
        select
            cast(null as {{ dbt.type_string() }}) as source_name,
            cast(null as {{ dbt.type_string() }}) as table_name,
            cast(null as {{ dbt.type_string() }}) as record_id,
            cast(null as {{ dbt.type_string() }}) as record_key,
            cast(null as {{ dbt.type_string() }}) as touchpoint_type,
            cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
            cast(null as {{ dbt.type_timestamp() }}) as ended_at,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as direction,
            cast(null as decimal(18, 2)) as value_amount,
            cast(null as {{ dbt.type_string() }}) as status,
            cast(null as {{ dbt.type_string() }}) as detail,
            cast(null as {{ dbt.type_int() }}) as score,
            false as is_escalated,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_at
        where 1 = 0
    {%- endif %}
),

known as (
    select * from unioned
    where
        occurred_at < {{ as_of_at }}
        and (loaded_at is null or loaded_at < {{ as_of_at }})
),

final as (
    select
        {{ dbt.concat(['known.source_name', "'.'", 'known.table_name', "':'", 'known.record_id', "'#'", 'known.touchpoint_type']) }}
            as touchpoint_id,
        identity_map.customer_id,
        known.occurred_at,
        cast({{ dbt.date_trunc('day', 'known.occurred_at') }} as date) as occurred_date,
        known.ended_at,
        known.source_name,
        known.table_name,
        known.record_id,
        known.record_key,
        known.touchpoint_type,
        known.channel,
        known.direction,
        known.value_amount,
        known.status,
        known.detail,
        known.score,
        known.is_escalated,
        known.loaded_at
    from known
    inner join identity_map
        on known.record_key = identity_map.record_key
    -- an anonymous record (a device that never logged in) is no customer's
    where identity_map.customer_id is not null
)

select * from final
