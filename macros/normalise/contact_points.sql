{#-
    Email: trimmed, lower-cased and validated. Invalid addresses become null
    (the row is kept); `is_valid_email` tells a missing address from a bad one.
-#}
{% macro email_pattern() -%}
    {{ return('^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$') }}
{%- endmacro %}

{% macro clean_email(column) -%}
    case
        when {{ c360.regexp_matches('lower(trim(' ~ column ~ '))', c360.email_pattern()) }}
            then lower(trim({{ column }}))
    end
{%- endmacro %}

{% macro is_valid_email(column) -%}
    case
        when nullif(trim({{ column }}), '') is null then cast(null as {{ dbt.type_boolean() }})
        else {{ c360.regexp_matches('lower(trim(' ~ column ~ '))', c360.email_pattern()) }}
    end
{%- endmacro %}


{#-
    Phone to E.164 (+<country code><number>):
      "+44 (0)20 7946 0958" → +442079460958   (the national trunk "(0)" is dropped)
      "0044 20 7946 0958"   → +442079460958   (00 international prefix)
      "1-212-555-0142"      → +12125550142
      "(212) 555-0142"      → +12125550142    (ten digits: default calling code)
    Anything else, or fewer than 8 / more than 15 digits, becomes null.
-#}
{% macro clean_phone(column) -%}
    {%- set stripped = c360.regexp_replace_all("replace(trim(" ~ column ~ "), '(0)', '')", '[^0-9+]', '') -%}
    {%- set digits = c360.regexp_replace_all(stripped, '[^0-9]', '') -%}
    case
        when length({{ digits }}) not between 8 and 15 then null
        when left({{ stripped }}, 1) = '+' then {{ dbt.concat(["'+'", digits]) }}
        when left({{ digits }}, 2) = '00' then {{ dbt.concat(["'+'", "substr(" ~ digits ~ ", 3)"]) }}
        when length({{ digits }}) = 11 and left({{ digits }}, 1) = '1' then {{ dbt.concat(["'+'", digits]) }}
        when length({{ digits }}) = 10
            then {{ dbt.concat(["'+" ~ var('c360_default_calling_code', '1') ~ "'", digits]) }}
    end
{%- endmacro %}


{#- Country spelling → ISO 3166-1 alpha-2, from var `c360_country_aliases`. -#}
{% macro country_code(column) -%}
    {%- set aliases = var('c360_country_aliases', {}) -%}
    {%- set value = 'upper(trim(' ~ column ~ '))' -%}
    case {{ value }}
        {%- for alias, code in aliases.items() %}
        when '{{ alias | upper }}' then '{{ code }}'
        {%- endfor %}
    end
{%- endmacro %}


{#- Postal code: upper case, single spaces. -#}
{% macro clean_postal_code(column) -%}
    upper({{ c360.clean_text(column) }})
{%- endmacro %}


{#-
    A street line normalised for comparison: lower case, accents folded,
    punctuation dropped, common words abbreviated (street → st, avenue → ave,
    -straße/-strasse → -str).
-#}
{% macro normalise_street(column) -%}
    {%- set words = [
        ('street', 'st'), ('avenue', 'ave'), ('road', 'rd'), ('drive', 'dr'), ('lane', 'ln'),
        ('boulevard', 'blvd'), ('court', 'ct'), ('place', 'pl'), ('square', 'sq'),
        ('terrace', 'ter'), ('apartment', 'apt'), ('suite', 'ste'), ('north', 'n'),
        ('south', 's'), ('east', 'e'), ('west', 'w')
    ] -%}
    {%- set padded = dbt.concat(["' '", c360.regexp_replace_all(c360.fold_accents(column), '[^a-z0-9]+', ' '), "' '"]) -%}
    {%- set state = namespace(expr=padded) -%}
    {%- for word, abbreviation in words -%}
        {%- set state.expr = "replace(" ~ state.expr ~ ", ' " ~ word ~ " ', ' " ~ abbreviation ~ " ')" -%}
    {%- endfor -%}
    {%- for suffix in ['strasse', 'strase'] -%}
        {%- set state.expr = "replace(" ~ state.expr ~ ", '" ~ suffix ~ " ', 'str ')" -%}
    {%- endfor -%}
    nullif(trim({{ c360.regexp_replace_all(state.expr, ' +', ' ') }}), '')
{%- endmacro %}
