{#-
    The touchpoint declarations of var `c360_touchpoints` (dbt_project.yml),
    one per `<source>.<table>`, turned into the pieces of
    int_touchpoints__unioned: which staged models to import, and one select
    per declaration mapping its columns onto the stream's columns.
-#}

{#- The enabled declarations, in a stable order, each with its resolved
    names: key, source_name, table_name, model, alias (the table name),
    join (model, alias, on, kind) or none. A declaration missing a required
    key stops the build naming it. -#}
{% macro touchpoint_declarations() -%}
    {%- set declarations = [] -%}
    {%- set configured = var('c360_touchpoints', {}) or {} -%}
    {%- for key in configured.keys() | sort -%}
        {%- set spec = configured[key] -%}
        {%- if '.' not in key -%}
            {{ exceptions.raise_compiler_error("c360_touchpoints." ~ key ~ ": keys are <source>.<table>") }}
        {%- endif -%}
        {%- set source_name, table_name = key.split('.', 1) -%}
        {%- for required in ['type', 'record_id', 'occurred_at'] if spec.get(required) is none -%}
            {{ exceptions.raise_compiler_error("c360_touchpoints." ~ key ~ ": " ~ required ~ " is required") }}
        {%- endfor -%}
        {%- if c360.source_enabled(source_name) -%}
            {%- set join = spec.get('join') -%}
            {%- set resolved_join = none -%}
            {%- if join -%}
                {%- if join.get('model') is none or join.get('using') is none -%}
                    {{ exceptions.raise_compiler_error("c360_touchpoints." ~ key ~ ".join needs model and using") }}
                {%- endif -%}
                {%- set resolved_join = {
                    'model': join['model'],
                    'alias': join['model'].split('__')[-1],
                    'using': join['using'],
                    'kind': join.get('kind', 'inner'),
                } -%}
            {%- endif -%}
            {%- do declarations.append({
                'key': key,
                'source_name': source_name,
                'table_name': table_name,
                'model': spec.get('model', 'stg_' ~ source_name ~ '__' ~ table_name),
                'alias': table_name,
                'join': resolved_join,
                'spec': spec,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(declarations) -}}
{%- endmacro %}

{#- One declaration's select onto the stream's columns (before the as-of
    cut and the identity join). `{as_of}` in an expression is the end of
    the as-of day. -#}
{% macro touchpoint_select(declaration, as_of_at) -%}
    {%- set spec = declaration.spec -%}
    {%- set alias = declaration.alias -%}
    {%- set identity = spec.get('identity', {}) or {} -%}

    {%- set qualifier = (alias ~ '.') if declaration.join else '' -%}
    {%- set touchpoint_type -%}
        {%- if spec.get('type_suffix') -%}
            {{ dbt.concat(["'" ~ spec['type'] ~ "_'", spec['type_suffix']]) }}
        {%- else -%}
            '{{ spec['type'] }}'
        {%- endif -%}
    {%- endset -%}
    {%- set channel -%}
        {%- if spec.get('channel_code') is not none -%}
            {{ c360.touchpoint_channel(declaration.key, spec['channel_code']) }}
        {%- else -%}
            {{ c360.touchpoint_expr(spec, 'channel', as_of_at, 'cast(null as ' ~ dbt.type_string() ~ ')') }}
        {%- endif -%}
    {%- endset -%}
    select
        '{{ declaration.source_name }}' as source_name,
        '{{ declaration.table_name }}' as table_name,
        cast({{ spec['record_id'] }} as {{ dbt.type_string() }}) as record_id,
        {{ c360.identity_record_key(identity.get('table', declaration.key), identity.get('record_id', spec['record_id'])) }}
            as record_key,
        {{ touchpoint_type }} as touchpoint_type,
        {{ c360.touchpoint_expr(spec, 'occurred_at', as_of_at, none) }} as occurred_at,
        cast({{ c360.touchpoint_expr(spec, 'ended_at', as_of_at, 'null') }} as {{ dbt.type_timestamp() }}) as ended_at,
        {{ channel }} as channel,
        {{ c360.touchpoint_expr(spec, 'direction', as_of_at, "'inbound'") }} as direction,
        cast({{ c360.touchpoint_expr(spec, 'value', as_of_at, 'null') }} as decimal(18, 2)) as value_amount,
        cast({{ c360.touchpoint_expr(spec, 'status', as_of_at, 'null') }} as {{ dbt.type_string() }}) as status,
        cast({{ c360.touchpoint_expr(spec, 'detail', as_of_at, 'null') }} as {{ dbt.type_string() }}) as detail,
        cast({{ c360.touchpoint_expr(spec, 'score', as_of_at, 'null') }} as {{ dbt.type_int() }}) as score,
        {{ c360.touchpoint_expr(spec, 'is_escalated', as_of_at, 'false') }} as is_escalated,
        {{ qualifier }}loaded_at
    from {{ declaration.model }} as {{ alias }}
    {%- if declaration.join %}
        {{ declaration.join.kind }} join {{ declaration.join.model }} as {{ declaration.join.alias }}
            on {{ alias }}.{{ declaration.join.using }} = {{ declaration.join.alias }}.{{ declaration.join.using }}
    {%- endif %}
    {%- if spec.get('where') %}
    where {{ spec['where'] }}
    {%- endif %}
{%- endmacro %}

{#- A declared expression, or the default when the key is absent. -#}
{% macro touchpoint_expr(spec, name, as_of_at, default) -%}
    {%- set value = spec.get(name) -%}
    {{- (default if value is none else (value | string)) | replace('{as_of}', as_of_at) -}}
{%- endmacro %}
