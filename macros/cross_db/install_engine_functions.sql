{#-
    Functions an engine lacks natively, created before every run (on-run-start).
    PostgreSQL has no try_cast: these return null instead of raising. Its
    Levenshtein distance (used by `string_similarity`) comes from the
    fuzzystrmatch extension, created here when missing.
-#}
{% macro install_engine_functions() -%}
    {{ return(adapter.dispatch('install_engine_functions', 'c360')()) }}
{%- endmacro %}

{% macro default__install_engine_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__install_engine_functions() -%}
    create schema if not exists {{ target.schema }};
    create extension if not exists fuzzystrmatch;
    create or replace function {{ target.schema }}.c360_try_timestamptz(v text)
    returns timestamptz language plpgsql immutable set timezone to 'UTC' as $$
    begin
        return v::timestamptz;
    exception when others then
        return null;
    end
    $$;
    create or replace function {{ target.schema }}.c360_try_date(v text)
    returns date language plpgsql immutable as $$
    begin
        return v::date;
    exception when others then
        return null;
    end
    $$;
{%- endmacro %}
