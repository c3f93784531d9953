"""Writing scores back: every table of one as-of date replaced in one transaction.

The tables are declared once, in the dbt macro `score_tables`; they are
created (if missing) with `dbt run-operation create_score_tables`, and rows
are aligned to the columns the warehouse reports. On DuckDB and PostgreSQL
the delete of the as-of date's old rows and the insert of the new ones commit
together or not at all, so a run that fails leaves the previous scores
readable and intact. On Spark (Parquet tables, no transactions) each table is
rewritten in turn.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

import pandas as pd

from c360 import locks
from c360.dbt import run_dbt
from c360.project import C360Error, Project
from c360.warehouse import postgres_connection, relation_exists, schema_name, spark_session

TABLES = ("model_runs", "churn_scores", "upsell_recommendations")


def ensure_tables(project: Project) -> None:
    """Create the score tables unless they exist (every dbt run creates them)."""
    schema = score_schema(project)
    if all(relation_exists(project, schema, table) for table in TABLES):
        return
    run_dbt(project, "run-operation", ["create_score_tables", "--quiet"])


def score_schema(project: Project) -> str:
    return schema_name(project, "scores")


def replace_as_of(project: Project, as_of: date, frames: Mapping[str, pd.DataFrame],
                  replace: Mapping[str, bool] | None = None) -> None:
    """Write ``frames`` (table -> rows). For a table whose ``replace`` flag is
    true (default), the rows of ``as_of`` are deleted first; model_runs is
    appended to, keyed by model_version (a re-run of the same version
    replaces its row)."""
    unknown = set(frames) - set(TABLES)
    if unknown:
        raise C360Error(f"not a score table: {', '.join(sorted(unknown))}")
    replace = dict(replace or {})
    schema = score_schema(project)
    adapter = project.adapter_type
    if adapter == "spark":
        _write_spark(project, schema, as_of, frames, replace)
        return
    connect = {"duckdb": _duckdb, "postgres": _postgres}.get(adapter)
    if connect is None:
        raise C360Error(f"writing scores to a {adapter} target is not supported")
    with connect(project) as connection:
        _write_in_transaction(connection, schema, as_of, frames, replace)


def append_rows(project: Project, schema: str, frames: Mapping[str, pd.DataFrame], action: str) -> None:
    """Append ``frames`` (table -> rows) to tables of ``schema``, aligned to
    the columns the warehouse reports; on DuckDB and PostgreSQL in one
    transaction (all tables or none)."""
    adapter = project.adapter_type
    if adapter == "spark":
        spark = spark_session(project)
        for table, frame in frames.items():
            existing = spark.table(f"{schema}.{table}")
            aligned = _aligned(frame, existing.columns, table)
            spark.createDataFrame(aligned.astype(object).where(aligned.notna(), None),
                                  schema=existing.schema).write.insertInto(f"{schema}.{table}")
        return
    connect = {"duckdb": _duckdb, "postgres": _postgres}.get(adapter)
    if connect is None:
        raise C360Error(f"writing to a {adapter} target is not supported")
    with connect(project, action) as connection:
        connection.begin()
        try:
            for table, frame in frames.items():
                columns = _columns(connection, schema, table)
                connection.insert(f"{schema}.{table}", columns, _aligned(frame, columns, table))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise


def _columns(connection, schema: str, table: str) -> list[str]:
    marker = connection.marker
    return [row[0] for row in connection.fetch(
        "select column_name from information_schema.columns "
        f"where table_schema = {marker} and table_name = {marker} order by ordinal_position",
        (schema, table))]


def _delete_condition(table: str, frame: pd.DataFrame, as_of: date, replace: Mapping[str, bool]) -> str | None:
    if table == "model_runs":
        versions = ", ".join("'" + v.replace("'", "''") + "'" for v in frame["model_version"].unique())
        return f"model_version in ({versions})" if versions else None
    if replace.get(table, True):
        return f"as_of_date = cast('{as_of.isoformat()}' as date)"
    return None


def _write_in_transaction(connection, schema: str, as_of: date, frames: Mapping[str, pd.DataFrame],
                          replace: Mapping[str, bool]) -> None:
    """For each table: look up its columns, delete the rows being replaced,
    insert the new ones; all in one transaction, rolled back on any error."""
    connection.begin()
    try:
        for table, frame in frames.items():
            columns = _columns(connection, schema, table)
            aligned = _aligned(frame, columns, table)
            condition = _delete_condition(table, aligned, as_of, replace)
            if condition:
                connection.execute(f"delete from {schema}.{table} where {condition}")
            connection.insert(f"{schema}.{table}", columns, aligned)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


class _DuckDBConnection:
    """DuckDB: an explicit transaction; rows inserted from the registered frame."""

    marker = "?"

    def __init__(self, connection) -> None:
        self.connection = connection

    def begin(self) -> None:
        self.connection.execute("begin transaction")

    def fetch(self, sql: str, parameters) -> list[tuple]:
        return self.connection.execute(sql, list(parameters)).fetchall()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def insert(self, relation: str, columns: list[str], frame: pd.DataFrame) -> None:
        self.connection.register("incoming", frame)
        self.connection.execute(f"insert into {relation} ({', '.join(columns)}) "
                                f"select {', '.join(columns)} from incoming")
        self.connection.unregister("incoming")

    def commit(self) -> None:
        self.connection.execute("commit")

    def rollback(self) -> None:
        self.connection.execute("rollback")


class _PostgresConnection:
    """PostgreSQL (psycopg2): the transaction opens with the first statement;
    rows are copied in as CSV."""

    marker = "%s"

    def __init__(self, connection, cursor) -> None:
        self.connection, self.cursor = connection, cursor

    def begin(self) -> None:
        pass

    def fetch(self, sql: str, parameters) -> list[tuple]:
        self.cursor.execute(sql, tuple(parameters))
        return self.cursor.fetchall()

    def execute(self, sql: str) -> None:
        self.cursor.execute(sql)

    def insert(self, relation: str, columns: list[str], frame: pd.DataFrame) -> None:
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        buffer.seek(0)
        self.cursor.copy_expert(f"copy {relation} ({', '.join(columns)}) from stdin "
                                "with (format csv, null '\\N')", buffer)

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


@contextmanager
def _duckdb(project: Project, action: str = "c360 score") -> Iterator[_DuckDBConnection]:
    import duckdb

    try:
        connection = duckdb.connect(str(project.warehouse))
    except duckdb.IOException as error:
        raise locks.explain_duckdb_error(error, project.warehouse, action) from error
    try:
        yield _DuckDBConnection(connection)
    finally:
        connection.close()


@contextmanager
def _postgres(project: Project, action: str = "c360 score") -> Iterator[_PostgresConnection]:
    with postgres_connection(project) as connection, connection.cursor() as cursor:
        yield _PostgresConnection(connection, cursor)


def _write_spark(project, schema, as_of, frames, replace) -> None:
    spark = spark_session(project)
    for table, frame in frames.items():
        existing = spark.table(f"{schema}.{table}")
        columns = existing.columns
        aligned = _aligned(frame, columns, table)
        condition = _delete_condition(table, aligned, as_of, replace)
        kept = existing.where(f"not ({condition})") if condition else existing
        incoming = spark.createDataFrame(aligned.astype(object).where(aligned.notna(), None),
                                         schema=existing.schema)
        staged = f"{schema}.{table}__incoming"
        kept.unionByName(incoming).write.mode("overwrite").saveAsTable(staged)
        spark.sql(f"insert overwrite table {schema}.{table} select * from {staged}")
        spark.sql(f"drop table if exists {staged}")


def _aligned(frame: pd.DataFrame, columns: list[str], table: str) -> pd.DataFrame:
    if not columns:
        raise C360Error(f"table {table} does not exist: run `c360 build` once (it creates it empty)")
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise C360Error(f"{table}: rows do not match the declared columns (missing {missing}, unexpected {extra})")
    return frame[columns]
