{#- A double-precision floating-point type, for ratios and scores. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'c360')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- A double rounded to n decimals, as a double, the same on every engine:
    the value goes through decimal(28, 8) first, so a half-way value that
    one engine computes as ...4999999 and another as ...5 rounds alike
    (decimals round half away from zero everywhere). -#}
{% macro round_double(expr, n) -%}
    {{ return(adapter.dispatch('round_double', 'c360')(expr, n)) }}
{%- endmacro %}

{% macro default__round_double(expr, n) -%}
    cast(round(cast({{ expr }} as decimal(28, 8)), {{ n }}) as double)
{%- endmacro %}

{% macro duckdb__round_double(expr, n) -%}
    cast(round(cast({{ expr }} as decimal(28, 8)), {{ n }}) as double)
{%- endmacro %}

{% macro postgres__round_double(expr, n) -%}
    cast(round(cast({{ expr }} as numeric(28, 8)), {{ n }}) as double precision)
{%- endmacro %}

{% macro spark__round_double(expr, n) -%}
    cast(round(cast({{ expr }} as decimal(28, 8)), {{ n }}) as double)
{%- endmacro %}
