{#-
    Parse text into typed values without failing the query: a value that does
    not parse becomes null, so staging can quarantine the row with a reason.
-#}

{#-
    Only text that starts with an ISO date is cast: engines differ on words
    such as 'yesterday', 'epoch' or 'infinity', which are never valid here.
-#}
{% macro try_cast_timestamp_utc(expr) -%}
    case
        when {{ c360.regexp_matches('trim(' ~ expr ~ ')', '^[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ adapter.dispatch('try_cast_timestamp_utc', 'c360')(expr) }}
    end
{%- endmacro %}

{% macro default__try_cast_timestamp_utc(expr) -%}
    cast({{ expr }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- ISO 8601 text with or without an offset; values without one are UTC. -#}
{% macro duckdb__try_cast_timestamp_utc(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}

{% macro postgres__try_cast_timestamp_utc(expr) -%}
    ({{ target.schema }}.c360_try_timestamptz({{ expr }}) at time zone 'UTC')
{%- endmacro %}

{#- Spark sessions run with spark.sql.session.timeZone = UTC (see profiles). -#}
{% macro spark__try_cast_timestamp_utc(expr) -%}
    try_cast({{ expr }} as timestamp)
{%- endmacro %}


{% macro try_cast_date(expr) -%}
    case
        when {{ c360.regexp_matches('trim(' ~ expr ~ ')', '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ adapter.dispatch('try_cast_date', 'c360')(expr) }}
    end
{%- endmacro %}

{% macro default__try_cast_date(expr) -%}
    cast({{ expr }} as date)
{%- endmacro %}

{% macro duckdb__try_cast_date(expr) -%}
    try_cast({{ expr }} as date)
{%- endmacro %}

{% macro postgres__try_cast_date(expr) -%}
    {{ target.schema }}.c360_try_date({{ expr }})
{%- endmacro %}

{% macro spark__try_cast_date(expr) -%}
    try_cast({{ expr }} as date)
{%- endmacro %}


{#-
    Plain decimal notation only ('12.50', '-3', '.5'): no exponents, separators
    or symbols, and no more whole digits than the type holds (a larger value
    would make PostgreSQL's cast fail the query).
-#}
{% macro try_cast_decimal(expr, precision=18, scale=2) -%}
    {%- set whole_digits = precision - scale -%}
    case
        when {{ c360.regexp_matches('trim(' ~ expr ~ ')',
            '^[+-]?(0*[0-9]{1,' ~ whole_digits ~ '}([.][0-9]*)?|[.][0-9]+)$') }}
            then {{ adapter.dispatch('try_cast_decimal', 'c360')('trim(' ~ expr ~ ')', precision, scale) }}
    end
{%- endmacro %}

{% macro default__try_cast_decimal(expr, precision, scale) -%}
    cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro duckdb__try_cast_decimal(expr, precision, scale) -%}
    try_cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro postgres__try_cast_decimal(expr, precision, scale) -%}
    cast({{ expr }} as numeric({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__try_cast_decimal(expr, precision, scale) -%}
    try_cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}


{% macro try_cast_integer(expr) -%}
    {{ return(adapter.dispatch('try_cast_integer', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__try_cast_integer(expr) -%}
    cast({{ expr }} as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__try_cast_integer(expr) -%}
    try_cast({{ expr }} as integer)
{%- endmacro %}

{% macro postgres__try_cast_integer(expr) -%}
    case when trim({{ expr }}) ~ '^[+-]?[0-9]{1,9}$' then cast(trim({{ expr }}) as integer) end
{%- endmacro %}

{% macro spark__try_cast_integer(expr) -%}
    try_cast({{ expr }} as int)
{%- endmacro %}
