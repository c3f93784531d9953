{#- Capitalise the first letter of every space-separated word. -#}
{% macro initcap(expr) -%}
    {{ return(adapter.dispatch('initcap', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__initcap(expr) -%}
    initcap({{ expr }})
{%- endmacro %}

{#- Upper-case the first letter of every space-separated word, lower-case the
    rest, the same on every engine (PostgreSQL's own initcap would also start
    a word after an apostrophe or a hyphen; Spark's does not). -#}
{% macro postgres__initcap(expr) -%}
    (
        select string_agg(upper(left(word, 1)) || substr(word, 2), ' ' order by position)
        from unnest(string_to_array(lower({{ expr }}), ' ')) with ordinality as words (word, position)
    )
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
    to_json(struct({{ relation_alias }}.*), map('ignoreNullFields', 'false'))
{%- endmacro %}



{#- The values of `expr` in a group, sorted and joined by `delimiter` (a
    SQL string literal), the same on every engine. -#}
{% macro sorted_string_agg(expr, delimiter) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'c360')(expr, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expr, delimiter) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ expr }})
{%- endmacro %}

{% macro spark__sorted_string_agg(expr, delimiter) -%}
    array_join(array_sort(collect_list({{ expr }})), {{ delimiter }})
{%- endmacro %}
