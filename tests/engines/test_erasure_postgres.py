"""Erasure on PostgreSQL: after the build that follows the registering one,
no personal value of an erased person is left in any relation but the raw
landing tables, and every honoured request has its evidence.

The session's PostgreSQL build is the first build (it registered the
dataset's honoured requests). A copy of its database (CREATE DATABASE ...
TEMPLATE) is built again the way `c360 build` builds, so the other engine
tests keep reading the first build.
"""

from __future__ import annotations

import pandas as pd
import pytest

from c360.dbt import default_disabled_sources, environment, run_dbt
from c360.warehouse import postgres_connection, read_sql, schema_name
from privacy.erasure_scan import PROJECT_DIR, honoured_statuses, personal_values
from privacy.erasure_scan import scan as scan_columns

pytestmark = pytest.mark.dbt

COPY = "c360_erasure"


def admin(env: dict, sql: str) -> None:
    """A statement outside any transaction, on the server's maintenance database."""
    import psycopg2

    connection = psycopg2.connect(host=env["C360_PG_HOST"], port=int(env["C360_PG_PORT"]),
                                  user=env["C360_PG_USER"], dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def scan(project, values: pd.DataFrame) -> list[tuple]:
    """(schema, relation, column, class, value) of every value found in a text column."""
    with postgres_connection(project) as connection, connection.cursor() as cursor:
        cursor.execute("create temp table erased_values (value text, class_name text, contained boolean)")
        cursor.executemany("insert into erased_values values (%s, %s, %s)",
                           list(values[["value", "class_name", "contained"]].itertuples(index=False, name=None)))
        cursor.execute("""
            select table_schema, table_name, column_name from information_schema.columns
            where table_catalog = current_database()
              and data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
            order by 1, 2, 3
        """)

        def fetch(sql):
            cursor.execute(sql)
            return cursor.fetchall()

        return scan_columns(cursor.fetchall(), fetch, "strpos(x.v, p.value) > 0")


@pytest.fixture(scope="module")
def erased_on_postgres(postgres_project, postgres_env, dataset):
    admin(postgres_env, f"drop database if exists {COPY}")
    admin(postgres_env, f"create database {COPY} template {postgres_env['C360_PG_DATABASE']}")
    env = {**postgres_env, "C360_PG_DATABASE": COPY}
    project = postgres_project
    try:
        with environment(env):
            staging, marts = schema_name(project, "staging"), schema_name(project, "marts")
            statuses = ", ".join(f"'{status}'" for status in honoured_statuses())
            requests = read_sql(project, f"select request_id from {staging}.stg_privacy__erasure_requests "
                                         f"where status in ({statuses})")
            truth = pd.read_parquet(dataset / "truth" / "record_persons.parquet")
            truth = truth[truth.table_name.astype(str) == "erasure_requests"]
            erased = set(truth[truth.record_key.isin(requests.request_id)].person_id.astype(str))
            anonymous = set(read_sql(project, f"select record_id from {marts}.customer_identity_map "
                                              "where table_name = 'devices' and customer_id is null").record_id)

            def staged(model, columns):
                return read_sql(project, f"select {', '.join(dict.fromkeys(columns))} from {staging}.{model}")

            values = personal_values(dataset, staged, erased, default_disabled_sources(PROJECT_DIR), anonymous)
            customers_before = int(read_sql(project, f"select count(*) as n from {marts}.customer_360").n.iloc[0])
            erased_customers = int(read_sql(project, f"""
                select count(distinct m.customer_id) as n from {marts}.customer_identity_map as m
                inner join {staging}.stg_privacy__erasure_requests as r
                    on m.table_name = 'erasure_requests' and m.record_id = r.request_id
                where r.status in ({statuses})""").n.iloc[0])
            # the unit tests ran in the session's build; the data tests run again on what is left
            run_dbt(project, "build", ["--exclude", "resource_type:unit_test"], finish_erasures=True)
            hits = scan(project, values)
            customers_after = int(read_sql(project, f"select count(*) as n from {marts}.customer_360").n.iloc[0])
            evidence = read_sql(project, f"select * from {schema_name(project, 'privacy')}.erasure_evidence")
        yield {"values": values, "hits": hits, "requests": set(requests.request_id), "evidence": evidence,
               "customers": (customers_before, customers_after, erased_customers)}
    finally:
        admin(postgres_env, f"drop database if exists {COPY}")


def test_no_value_of_an_erased_person_is_left_on_postgres(erased_on_postgres):
    values = erased_on_postgres["values"]
    assert len(values) > 20 and {"email", "phone", "name"} <= set(values.class_name)
    assert erased_on_postgres["hits"] == []


def test_evidence_and_customers_on_postgres(erased_on_postgres):
    before, after, erased = erased_on_postgres["customers"]
    assert erased == len(erased_on_postgres["requests"]) > 0
    assert before - after == erased
    evidence = erased_on_postgres["evidence"]
    assert set(evidence.request_id) == erased_on_postgres["requests"]
    assert (evidence.records_erased > 0).all()
