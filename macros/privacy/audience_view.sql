{#-
    Audience views: a mart as one audience of var c360_privacy may see it.
    Every column of the mart is listed from the warehouse at run time; a
    column holding personal data (personal_data_class) gets the audience's
    treatment for its class, a column without one passes unchanged, and a
    personal-data column whose class the audience has no treatment for is
    dropped with a warning (default deny). Rows are limited by the
    audience's row filter for the mart and its regions, and aggregates lose
    their small cells (c360_privacy.small_cell_counts).
-#}

{#- The audience's settings, or a compile error naming what is missing. -#}
{% macro privacy_audience(audience) -%}
    {%- set audiences = var('c360_privacy', {}).get('audiences', {}) -%}
    {%- if audience not in audiences -%}
        {{ exceptions.raise_compiler_error("c360_privacy.audiences has no audience '" ~ audience ~ "' (known: " ~ audiences.keys() | join(', ') ~ ")") }}
    {%- endif -%}
    {{- return(audiences[audience]) -}}
{%- endmacro %}

{#- (column, class, treatment) for every column of `mart` as `audience`
    sees it; treatment `drop` for columns left out. -#}
{% macro audience_columns(mart, audience, columns) -%}
    {%- set treatments = c360.privacy_audience(audience).get('treatments', {}) or {} -%}
    {%- set planned = [] -%}
    {%- for column in columns -%}
        {%- set class_name = c360.personal_data_class(mart, column) -%}
        {%- if class_name is none -%}
            {%- do planned.append((column, none, 'show')) -%}
        {%- elif class_name in treatments -%}
            {%- do planned.append((column, class_name, treatments[class_name])) -%}
        {%- else -%}
            {%- do exceptions.warn("c360_privacy: " ~ mart ~ "." ~ column ~ " holds personal data of class '" ~ class_name ~ "' and audience '" ~ audience ~ "' has no treatment for it: dropped from " ~ mart ~ "__" ~ audience) -%}
            {%- do planned.append((column, class_name, 'drop')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(planned) -}}
{%- endmacro %}

{#- A row filter of c360_privacy as SQL: a string is used as it is;
    {consent: <purpose>} keeps the customers whose latest decision for the
    purpose is `granted` (none when the privacy source is switched off).
    Called at parse time too, so that dbt records the ref. -#}
{% macro audience_row_filter(row_filter) -%}
    {%- if row_filter is mapping -%}
        {%- if 'consent' not in row_filter -%}
            {{ exceptions.raise_compiler_error("c360_privacy row filter " ~ row_filter ~ ": a mapping needs `consent: <purpose>`") }}
        {%- endif -%}
        {%- if not c360.source_enabled('privacy') -%}
            {{- return('1 = 0') -}}
        {%- endif -%}
        {{- return("customer_id in (select consents.customer_id from " ~ ref('fct_consent_events') ~ " as consents"
            ~ " where consents.purpose = '" ~ row_filter['consent'] ~ "' and consents.is_latest_for_purpose"
            ~ " and consents.decision = 'granted')") -}}
    {%- endif -%}
    {{- return(row_filter) -}}
{%- endmacro %}

{#- The select of `mart` as `audience` sees it. -#}
{% macro audience_view(mart, audience) -%}
    {%- set spec = c360.privacy_audience(audience) -%}
    {%- set relation = ref(mart) -%}
    {%- set row_filter = (spec.get('row_filters', {}) or {}).get(mart) -%}
    {%- set row_filter_sql = c360.audience_row_filter(row_filter) if row_filter else none -%}
    {%- if not execute -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if columns | length == 0 -%}
            {#- the mart is not built yet (compiling before a first build): nothing to show -#}
            {{- return('select 1 as mart_not_built where 1 = 0') -}}
        {%- endif -%}
        {%- set planned = c360.audience_columns(mart, audience, columns) -%}
        {%- set filters = [] -%}
        {%- if row_filter_sql -%}
            {%- do filters.append('(' ~ row_filter_sql ~ ')') -%}
        {%- endif -%}
        {%- set privacy = var('c360_privacy', {}) -%}
        {%- set count_column = (privacy.get('small_cell_counts', {}) or {}).get(mart) -%}
        {%- if count_column -%}
            {%- do filters.append(count_column ~ ' >= ' ~ privacy.get('small_cell_k', 5)) -%}
        {%- endif -%}
        {%- set regions = spec.get('regions', []) or [] -%}
        {%- if regions | length > 0 -%}
            {%- if 'region' not in columns -%}
                {{ exceptions.raise_compiler_error("c360_privacy.audiences." ~ audience ~ ".regions: " ~ mart ~ " has no region column") }}
            {%- endif -%}
            {%- do filters.append("region in ('" ~ regions | join("', '") ~ "')") -%}
        {%- endif -%}
        select
        {%- for column, class_name, treatment in planned if treatment != 'drop' %}
            {{ c360.mask(column, class_name, treatment) if class_name else column }} as {{ column }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
        from {{ relation }}
        {%- if filters | length > 0 %}
        where {{ filters | join(' and ') }}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- dbt `grants` for an audience's views: select to its role on PostgreSQL
    when c360_privacy.grant_to_roles is on (the roles must exist). -#}
{% macro audience_grants(audience) -%}
    {%- set privacy = var('c360_privacy', {}) -%}
    {%- set role = c360.privacy_audience(audience).get('role') -%}
    {%- if target.type == 'postgres' and privacy.get('grant_to_roles', false) and role -%}
        {{- return({'select': [role]}) -}}
    {%- endif -%}
    {{- return({}) -}}
{%- endmacro %}

{#- on-run-end: on PostgreSQL with c360_privacy.grant_to_roles, each
    audience role may use the schema of its views (dbt's `grants` config
    grants the views themselves). -#}
{% macro grant_audience_schema_usage() -%}
    {%- if execute and target.type == 'postgres' and var('c360_privacy', {}).get('grant_to_roles', false) -%}
        {%- set statements = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.get('grants') and node.path.startswith('marts/audiences') -%}
            {%- for role in node.config.grants.get('select', []) -%}
                {%- set statement = 'grant usage on schema ' ~ adapter.quote(node.schema) ~ ' to ' ~ adapter.quote(role) -%}
                {%- if statement not in statements -%}
                    {%- do statements.append(statement) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {{- statements | join(';\n') -}}
    {%- endif -%}
{%- endmacro %}
