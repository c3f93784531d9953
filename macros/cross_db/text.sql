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
    A whole row as JSON object text, keys in column order. Used to keep the
    raw values of quarantined rows and to recognise exact copies of a row.
-#}
{% macro row_to_json_text(relation_alias) -%}
    {{ return(adapter.dispatch('row_to_json_text', 'c360')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_to_json_text(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__row_to_json_text(relation_alias) -%}
    cast(row_to_json({{ relation_alias }}) as text)
{%- endmacro %}

{% macro spark__row_to_json_text(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}
