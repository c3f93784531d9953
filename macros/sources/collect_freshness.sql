{#-
    Source freshness over raw text timestamps. Every raw table carries
    `_loaded_at` as ISO 8601 text (declared as `loaded_at_field`); rows whose
    value does not parse are ignored here, and quarantined by staging.
    Overrides dbt's default implementation for this project.
-#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ c360.try_cast_timestamp_utc(loaded_at_field) }}) as max_loaded_at,
            {{ current_timestamp() }} as snapshotted_at
        from {{ source }}
        {% if filter %}
        where {{ filter }}
        {% endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
