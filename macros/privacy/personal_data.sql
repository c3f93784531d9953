{#-
    Where personal data is: a column's class (YAML `meta: {personal_data:
    <class>}`) on the model itself, or else on the nearest upstream model
    holding a column of the same name (breadth first through the lineage).
    Only at execution time, when dbt's graph is complete; none otherwise.
-#}
{% macro personal_data_class(model_name, column_name, max_depth=25) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set column_name = column_name | lower -%}
    {%- set state = {'frontier': ['model.' ~ project_name ~ '.' ~ model_name]} -%}
    {%- set seen = [] -%}
    {%- for depth in range(max_depth) if state['frontier'] | length > 0 -%}
        {%- set next_frontier = [] -%}
        {%- for unique_id in state['frontier'] if unique_id not in seen -%}
            {%- do seen.append(unique_id) -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- if node is not none -%}
                {%- for name, column in node.columns.items() if name | lower == column_name -%}
                    {%- set found = (column.get('meta') or {}).get('personal_data')
                        or ((column.get('config') or {}).get('meta') or {}).get('personal_data') -%}
                    {%- if found -%}
                        {{- return(found) -}}
                    {%- endif -%}
                {%- endfor -%}
                {%- for parent in node.depends_on.nodes if parent.startswith('model.') or parent.startswith('snapshot.') -%}
                    {%- do next_frontier.append(parent) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do state.update({'frontier': next_frontier}) -%}
    {%- endfor -%}
    {{- return(none) -}}
{%- endmacro %}
