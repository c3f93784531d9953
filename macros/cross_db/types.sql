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
