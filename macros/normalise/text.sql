{#- Trimmed text with inner runs of spaces collapsed; blank becomes null. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ c360.regexp_replace_all(column, ' +', ' ') }}), '')
{%- endmacro %}

{#- An identifier as text: trimmed, blank becomes null. -#}
{% macro clean_id(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- A code or category: trimmed, lower case, blank becomes null. -#}
{% macro clean_code(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{#- A person's name for display: cleaned and capitalised per word. -#}
{% macro clean_name(column) -%}
    {{ c360.initcap(c360.clean_text(column)) }}
{%- endmacro %}

{#-
    Lower case with accented Latin letters folded to ASCII (é → e, ü → u,
    ß → s); a portable stand-in for unaccent().
-#}
{% macro fold_accents(expr) -%}
    translate(lower({{ expr }}),
        'àáâãäåāçćčèéêëēėęìíîïīłñńòóôõöøōśšßùúûüūýÿžźż',
        'aaaaaaaccceeeeeeeiiiiilnnooooooosssuuuuuyyzzz')
{%- endmacro %}


{#- A social-media handle: lower case, without leading @ or spaces; blank becomes null. -#}
{% macro clean_handle(column) -%}
    nullif(lower(trim({{ c360.regexp_replace_all('trim(' ~ column ~ ')', '^@+', '') }})), '')
{%- endmacro %}
