{#- The measure groups of the health score (var c360_health.weights), in
    the order their columns appear in int_customers__health_scores and
    customer_360. -#}
{% macro health_groups() -%}
    {{- return(['usage', 'support', 'sentiment', 'billing', 'engagement', 'tenure', 'voice']) -}}
{%- endmacro %}
