{#-
    The privacy policy (var c360_privacy) as Snowflake masking policies: one
    policy per personal-data class, masking by the role in session, for
    teams that apply masking in Snowflake itself instead of (or beside) the
    audience views. Print them with

        dbt run-operation snowflake_masking_policies --args '{schema: governance}'

    and run the output in Snowflake; attach each policy to the columns of
    its class (ALTER TABLE ... MODIFY COLUMN ... SET MASKING POLICY). A role
    the policy does not name sees null (default deny). Date columns keep
    their type: generalise gives the first day of the decade; coordinate
    (geolocation) columns stay numbers, generalised to one decimal (about
    11 km).
-#}

{%- macro snowflake_mask_expression(class_name, treatment, salt) -%}
    {%- if treatment == 'show' -%}
        val
    {%- elif treatment == 'hash' -%}
        sha2('{{ salt }}' || val, 256)
    {%- elif treatment == 'partial' and class_name == 'email' -%}
        left(val, 1) || '***' || substr(val, position('@', val))
    {%- elif treatment == 'partial' and class_name == 'phone' -%}
        '***' || right(val, 4)
    {%- elif treatment == 'partial' and class_name == 'name' -%}
        left(val, 1) || '.'
    {%- elif treatment == 'partial' and class_name == 'street_address' -%}
        trim(regexp_replace(val, '[0-9]+[A-Za-z]?', ''))
    {%- elif treatment == 'partial' -%}
        left(val, 1) || '***'
    {%- elif treatment == 'generalise' and class_name == 'birth_date' -%}
        date_from_parts(floor(year(val) / 10) * 10, 1, 1)
    {%- elif treatment == 'generalise' and class_name == 'postal_code' -%}
        left(val, 3)
    {%- elif treatment == 'generalise' and class_name == 'geolocation' -%}
        round(val, 1)
    {%- elif treatment == 'redact' and class_name in ('birth_date', 'geolocation') -%}
        null
    {%- elif treatment == 'redact' -%}
        '[redacted]'
    {%- elif treatment == 'drop' -%}
        null
    {%- else -%}
        {{ exceptions.raise_compiler_error("c360_privacy: no Snowflake form of treatment '" ~ treatment ~ "' for class '" ~ class_name ~ "'") }}
    {%- endif -%}
{%- endmacro -%}

{%- macro snowflake_masking_policy_sql(schema='governance') -%}
    {%- set privacy = var('c360_privacy', {}) -%}
    {%- set audiences = privacy.get('audiences', {}) -%}
    {%- set classes = [] -%}
    {%- for spec in audiences.values() -%}
        {%- for class_name in (spec.get('treatments') or {}).keys() if class_name not in classes -%}
            {%- do classes.append(class_name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set needs_salt = [] -%}
    {%- for spec in audiences.values() -%}
        {%- if 'hash' in (spec.get('treatments') or {}).values() -%}{%- do needs_salt.append(1) -%}{%- endif -%}
    {%- endfor -%}
    {%- set salt = c360.masking_salt() if needs_salt else '' -%}
    {%- for class_name in classes | sort %}
create or replace masking policy {{ schema }}.c360_mask_{{ class_name }}
    {%- set value_type = {'birth_date': 'date', 'geolocation': 'float'}.get(class_name, 'string') %}
    as (val {{ value_type }}) returns {{ value_type }} ->
    case
        {%- for audience, spec in audiences.items() | sort if spec.get('role') %}
        {%- set treatment = (spec.get('treatments') or {}).get(class_name, 'drop') %}
        when is_role_in_session('{{ spec['role'] | upper }}') then {{ c360.snowflake_mask_expression(class_name, treatment, salt) }}
        {%- endfor %}
        else null
    end;
{% endfor -%}
{%- endmacro -%}

{% macro snowflake_masking_policies(schema='governance') %}
    {%- do print(c360.snowflake_masking_policy_sql(schema)) -%}
{% endmacro %}
