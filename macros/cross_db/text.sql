{#- Capitalise the first letter of every space-separated word. -#}
{% macro initcap(expr) -%}
    {{ return(adapter.dispatch('initcap', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__initcap(expr) -%}
    initcap({{ expr }})
{%- endmacro %}

{% macro duckdb__initcap(expr) -%}
    array_to_string(
        list_transform(
            string_split(lower({{ expr }}), ' '),
            lambda w: upper(left(w, 1)) || substr(w, 2)
        ),
        ' '
    )
{%- endmacro %}


{#-
    A JSON object text from (key, expression) pairs, every value as text.
    Used to keep the raw values of quarantined rows.
-#}
{% macro json_object_text(pairs) -%}
    {{ return(adapter.dispatch('json_object_text', 'c360')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, expr in pairs %}
        '{{ key }}', cast({{ expr }} as {{ dbt.type_string() }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__json_object_text(pairs) -%}
    cast(json_build_object(
        {%- for key, expr in pairs %}
        '{{ key }}', cast({{ expr }} as text){{ "," if not loop.last }}
        {%- endfor %}
    ) as text)
{%- endmacro %}

{% macro spark__json_object_text(pairs) -%}
    to_json(named_struct(
        {%- for key, expr in pairs %}
        '{{ key }}', cast({{ expr }} as string){{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
