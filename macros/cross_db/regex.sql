{#-
    Regular expressions. Patterns are written for all three engines: no
    backslash escapes (use [.] or [0-9]) and no POSIX classes.
-#}

{% macro regexp_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'c360')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regexp_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}


{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'c360')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#-
    A character class of the control characters `control_characters`
    quarantines: U+0000 to U+001F except tab, line feed and carriage return,
    and U+007F. Written with escapes each engine's regex reads (PostgreSQL
    text cannot hold U+0000; Spark unescapes string literals first).
-#}
{% macro control_character_pattern() -%}
    {{ return(adapter.dispatch('control_character_pattern', 'c360')()) }}
{%- endmacro %}

{% macro default__control_character_pattern() -%}
    {{ return('[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]') }}
{%- endmacro %}

{% macro postgres__control_character_pattern() -%}
    {{ return('[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]') }}
{%- endmacro %}

{% macro spark__control_character_pattern() -%}
    {{ return('[\\\\x00-\\\\x08\\\\x0b\\\\x0c\\\\x0e-\\\\x1f\\\\x7f]') }}
{%- endmacro %}
