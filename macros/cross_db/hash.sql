{#-
    SHA-256 of a text value as 64 lower-case hex digits, the same on every
    engine (the text is hashed as UTF-8). Unkeyed: the erasure register
    holds these of record keys, so that it outlives a change of the masking
    key; keyed hashes (macros/privacy/masking.sql) are built on it.
-#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha256(cast({{ expr }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to(cast({{ expr }} as text), 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2(cast({{ expr }} as string), 256)
{%- endmacro %}
