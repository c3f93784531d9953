{#-
    Commit what the on-run-start hooks changed. A hook that reads with
    run_query (the raw column check, the erasure register's counts) opens a
    transaction on dbt's `master` connection, and the statements of the hooks
    after it run inside that transaction; dbt rolls it back when it releases
    the connection, undoing the tables those hooks created. Listed last among
    the hooks: it opens a transaction if none is open and commits it, on every
    engine (Spark has no transactions; dbt-spark ignores both).
-#}
{% macro commit_transaction() -%}
    {%- if execute -%}
        {%- call statement('commit_transaction', auto_begin=true) -%}
            select 1
        {%- endcall -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    select 1
{%- endmacro %}
