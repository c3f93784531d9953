{#-
    Masking treatments of the privacy policy (var c360_privacy): SQL
    expressions that turn a column into what an audience may see. Engine
    differences (hash functions) are dispatched per adapter; the rest is
    built from dbt's cross-database macros.
-#}

{#- The expression an audience sees for `expr` of personal-data class
    `class_name` under `treatment` (show, hash, partial, generalise,
    redact); `drop` is handled by the caller (the column is left out). -#}
{% macro mask(expr, class_name, treatment) -%}
    {%- if treatment == 'show' -%}
        {{ expr }}
    {%- elif treatment == 'hash' -%}
        case when {{ expr }} is not null then {{ c360.keyed_hash(expr) }} end
    {%- elif treatment == 'partial' -%}
        case when {{ expr }} is not null then {{ c360.mask_partial(expr, class_name) }} end
    {%- elif treatment == 'generalise' -%}
        {{ c360.mask_generalise(expr, class_name) }}
    {%- elif treatment == 'redact' -%}
        {%- if class_name == 'birth_date' -%}
            cast(null as date)
        {%- elif class_name == 'geolocation' -%}
            cast(null as {{ c360.type_double() }})
        {%- else -%}
            case when {{ expr }} is not null then '[redacted]' end
        {%- endif -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("c360_privacy: unknown treatment '" ~ treatment ~ "' (show, hash, partial, generalise, redact, drop)") }}
    {%- endif -%}
{%- endmacro %}

{#- Part of a value: j***@example.com, ***4567, J., the street without its
    house number, else the first character and ***. -#}
{% macro mask_partial(expr, class_name) -%}
    {%- set text = 'cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if class_name == 'email' -%}
        {{ dbt.concat(['substr(' ~ text ~ ', 1, 1)', "'***'", 'substr(' ~ text ~ ', ' ~ dbt.position("'@'", text) ~ ')']) }}
    {%- elif class_name == 'phone' -%}
        {{ dbt.concat(["'***'", dbt.right(text, 4)]) }}
    {%- elif class_name == 'name' -%}
        {{ dbt.concat(['substr(' ~ text ~ ', 1, 1)', "'.'"]) }}
    {%- elif class_name == 'street_address' -%}
        trim({{ c360.regexp_replace_all(text, '[0-9]+[A-Za-z]?', '') }})
    {%- else -%}
        {{ dbt.concat(['substr(' ~ text ~ ', 1, 1)', "'***'"]) }}
    {%- endif -%}
{%- endmacro %}

{#- A coarser value: birth date -> ten-year age band as of the build's
    as-of date ("30-39"); postal code -> its first three characters;
    geolocation (a latitude or longitude) -> one decimal, about 11 km. -#}
{% macro mask_generalise(expr, class_name) -%}
    {%- if class_name == 'birth_date' -%}
        {%- set decade = 'cast(floor(' ~ dbt.datediff(expr, c360.as_of_date(), 'day') ~ ' / 3652.5) * 10 as ' ~ dbt.type_int() ~ ')' -%}
        case
            when {{ expr }} is not null
                then {{ dbt.concat([
                    'cast(' ~ decade ~ ' as ' ~ dbt.type_string() ~ ')', "'-'",
                    'cast(' ~ decade ~ ' + 9 as ' ~ dbt.type_string() ~ ')'
                ]) }}
        end
    {%- elif class_name == 'postal_code' -%}
        case when {{ expr }} is not null then substr(cast({{ expr }} as {{ dbt.type_string() }}), 1, 3) end
    {%- elif class_name == 'geolocation' -%}
        {{ c360.round_double(expr, 1) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("c360_privacy: no generalisation for class '" ~ class_name ~ "' (birth_date, postal_code, geolocation)") }}
    {%- endif -%}
{%- endmacro %}

{#- The masking key: the environment variable named by
    c360_privacy.salt_env_var. A build that hashes stops without it. -#}
{% macro masking_salt() -%}
    {%- set name = var('c360_privacy', {}).get('salt_env_var', 'C360_MASKING_SALT') -%}
    {%- set salt = env_var(name, '') -%}
    {%- if execute and salt | length == 0 -%}
        {{ exceptions.raise_compiler_error("the privacy policy hashes personal data: set the environment variable " ~ name ~ " to a secret key (keep it out of the repository), e.g. export " ~ name ~ "=$(python -c 'import secrets; print(secrets.token_hex(32))')") }}
    {%- endif -%}
    {{- return(salt | replace("'", "''")) -}}
{%- endmacro %}

{#- Keyed SHA-256 of a value as lower-case hex: sha256(key || value). -#}
{% macro keyed_hash(expr) -%}
    {{ c360.sha256_hex(dbt.concat(["'" ~ c360.masking_salt() ~ "'", 'cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')'])) }}
{%- endmacro %}
