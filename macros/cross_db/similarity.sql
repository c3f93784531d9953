{#-
    String similarity in [0, 1] from the Levenshtein edit distance:
        1 - edits / greatest(length(a), length(b))
    rounded to 4 decimals, where edits is the Levenshtein distance (single
    character inserts, deletes and substitutions), except that two strings of
    the same length and the same letters at distance 2 count as one edit:
    swapped letters are one typo ("marytn" / "martyn" → 0.8333, not 0.6667).
    Levenshtein is the same function on every engine (DuckDB `levenshtein`,
    PostgreSQL fuzzystrmatch `levenshtein`, Spark `levenshtein`), so the
    three give the same numbers; Jaro-Winkler and Damerau distances are not
    available everywhere and are not used.
    Null when either side is null; 1 when both are equal. PostgreSQL's
    fuzzystrmatch takes at most 255 characters: both sides are cut to 255
    characters on every engine.
-#}
{% macro string_similarity(a, b) -%}
    {%- set a_cut = 'left(' ~ a ~ ', 255)' -%}
    {%- set b_cut = 'left(' ~ b ~ ', 255)' -%}
    {%- set distance = c360.levenshtein(a_cut, b_cut) -%}
    case
        when {{ a }} is null or {{ b }} is null then null
        when {{ a }} = {{ b }} then 1.0
        else round(
            1.0 - (
                {{ distance }}
                - case
                    {#- cheapest test first: characters are sorted only at distance 2 #}
                    when
                        length({{ a_cut }}) = length({{ b_cut }})
                        and {{ distance }} = 2
                        and {{ c360.sorted_characters(a_cut) }} = {{ c360.sorted_characters(b_cut) }}
                        then 1
                    else 0
                end
            ) / {{ c360.levenshtein_denominator('greatest(length(' ~ a_cut ~ '), length(' ~ b_cut ~ '))') }},
            4
        )
    end
{%- endmacro %}


{#- Levenshtein edit distance between two strings (at most 255 characters on PostgreSQL). -#}
{% macro levenshtein(a, b) -%}
    {{ return(adapter.dispatch('levenshtein', 'c360')(a, b)) }}
{%- endmacro %}

{% macro default__levenshtein(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro duckdb__levenshtein(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{#- From the fuzzystrmatch extension (created by install_engine_functions). -#}
{% macro postgres__levenshtein(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__levenshtein(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}


{#-
    A length as the divisor of an edit distance: a type whose division gives
    a fraction (DuckDB and Spark divide doubles, PostgreSQL numerics).
-#}
{% macro levenshtein_denominator(expr) -%}
    {{ return(adapter.dispatch('levenshtein_denominator', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__levenshtein_denominator(expr) -%}
    cast({{ expr }} as double)
{%- endmacro %}

{% macro duckdb__levenshtein_denominator(expr) -%}
    cast({{ expr }} as double)
{%- endmacro %}

{% macro postgres__levenshtein_denominator(expr) -%}
    cast({{ expr }} as numeric)
{%- endmacro %}

{% macro spark__levenshtein_denominator(expr) -%}
    cast({{ expr }} as double)
{%- endmacro %}


{#- The characters of a string in sorted order ("vogt" → "gotv"): equal for anagrams. -#}
{% macro sorted_characters(expr) -%}
    {{ return(adapter.dispatch('sorted_characters', 'c360')(expr)) }}
{%- endmacro %}

{% macro default__sorted_characters(expr) -%}
    {{ c360.duckdb__sorted_characters(expr) }}
{%- endmacro %}

{% macro duckdb__sorted_characters(expr) -%}
    array_to_string(list_sort(string_split({{ expr }}, '')), '')
{%- endmacro %}

{% macro postgres__sorted_characters(expr) -%}
    (
        select string_agg(sorted_character, '' order by sorted_character collate "C")
        from regexp_split_to_table({{ expr }}, '') as sorted_character
    )
{%- endmacro %}

{% macro spark__sorted_characters(expr) -%}
    array_join(array_sort(split({{ expr }}, '')), '')
{%- endmacro %}
