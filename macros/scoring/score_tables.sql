{#-
    The tables `c360 score` writes back, declared once: the scoring scripts
    create them through `dbt run-operation create_score_tables` before they
    write, and every dbt run creates them (empty) at its start, so a first
    build before any scoring works and customer_360's score columns are empty.
    Schema: `<target schema>_scores`.
-#}
{% macro score_tables() -%}
    {%- set text = dbt.type_string() -%}
    {%- set ts = dbt.type_timestamp() -%}
    {%- set int = dbt.type_int() -%}
    {%- set double = c360.type_double() -%}
    {{ return({
        'churn_scores': [
            ('customer_id', text), ('as_of_date', 'date'), ('scored_at', ts),
            ('churn_probability', double), ('risk_band', text), ('top_reasons', text),
            ('reason_1', text), ('reason_2', text), ('reason_3', text), ('model_version', text)],
        'upsell_recommendations': [
            ('customer_id', text), ('as_of_date', 'date'), ('scored_at', ts),
            ('recommendation_rank', int), ('category', text), ('subcategory', text),
            ('propensity', double), ('reason', text), ('model_version', text)],
        'model_runs': [
            ('model_version', text), ('model_kind', text), ('as_of_date', 'date'), ('trained_at', ts),
            ('status', text), ('message', text), ('training_start', 'date'), ('training_end', 'date'),
            ('test_start', 'date'), ('test_end', 'date'), ('horizon_days', int), ('features', text),
            ('training_rows', int), ('test_rows', int), ('scored_rows', int),
            ('roc_auc', double), ('pr_auc', double), ('brier', double), ('base_rate_brier', double),
            ('calibration_error', double), ('baseline_roc_auc', double), ('baseline_pr_auc', double),
            ('baseline_brier', double), ('hit_rate_at_k', double), ('baseline_hit_rate_at_k', double),
            ('metrics', text)],
    }) }}
{%- endmacro %}

{% macro score_schema() -%}
    {{ return(target.schema ~ '_scores') }}
{%- endmacro %}

{% macro create_score_tables() -%}
    {{ return(c360.create_declared_tables(c360.score_schema(), c360.score_tables())) }}
{%- endmacro %}
