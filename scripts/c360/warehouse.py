"""Reading and writing the warehouse through dbt's own profile and target.

A user configures a connection once, in profiles.yml; the Python side reads
the same profile (environment variables rendered as dbt renders them) and
talks to the same warehouse: DuckDB through its file, PostgreSQL through
psycopg2 (installed with dbt-postgres), Spark through the in-process session.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from c360.project import C360Error, Project

#: Declared raw data_type -> PostgreSQL column type.
POSTGRES_TYPES = {"varchar": "text", "bigint": "bigint", "double": "double precision", "boolean": "boolean"}


def profile_credentials(project: Project):
    """The dbt credentials object of the project's target (env vars rendered)."""
    from argparse import Namespace

    from dbt.config.runtime import load_profile
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(os.environ)
    set_from_args(Namespace(profiles_dir=str(project.profiles_dir)), None)
    profile = load_profile(str(project.project_dir), {}, target_override=project.target)
    return profile.credentials


def schema_name(project: Project, suffix: str) -> str:
    """The schema dbt builds a layer into: `<target schema>_<suffix>` (dbt's
    default generate_schema_name)."""
    return f"{profile_credentials(project).schema}_{suffix}"


@contextmanager
def postgres_connection(project: Project) -> Iterator:
    import psycopg2

    credentials = profile_credentials(project)
    connection = psycopg2.connect(host=credentials.host, port=credentials.port, user=credentials.user,
                                  password=credentials.password or None, dbname=credentials.database,
                                  connect_timeout=credentials.connect_timeout or 10)
    try:
        yield connection
    finally:
        connection.close()


def raw_tables(project: Project, sources: Sequence[str] | None = None) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(source, table, [(column, data_type)]) of every declared raw table of
    ``sources`` (default: every source)."""
    from c360.contract import source_declarations

    tables = []
    for source in source_declarations(project.project_dir):
        if sources is not None and source["name"] not in sources:
            continue
        for table in source["tables"]:
            tables.append((source["name"], table["name"],
                           [(c["name"], c["data_type"]) for c in table["columns"]]))
    return tables


def load_raw_postgres(project: Project, raw_path: Path, sources: Sequence[str] | None = None,
                      prefix: str = "raw_", optional: Sequence[str] = ()) -> dict[str, int]:
    """Load ``<raw_path>/<source>/<table>.parquet`` into ``<prefix><source>.<table>``
    on the PostgreSQL target, replacing what is there; returns rows per table.
    Only the declared columns are loaded, in contract order (others are
    ignored); a declared table whose file is missing, or a file without a
    declared column, is an error, except that a source in ``optional`` with
    no file at all is skipped."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    declared = raw_tables(project, sources)
    present = {source for source, table, _ in declared if (Path(raw_path) / source / f"{table}.parquet").is_file()}
    absent = {source for source, _, _ in declared if source in optional and source not in present}
    counts: dict[str, int] = {}
    with postgres_connection(project) as connection:
        with connection.cursor() as cursor:
            for source, table, columns in declared:
                if source in absent:
                    continue
                path = Path(raw_path) / source / f"{table}.parquet"
                if not path.is_file():
                    raise C360Error(f"raw file missing: {path}")
                names = [name for name, _ in columns]
                found = set(pq.read_schema(path).names)
                missing = [name for name in names if name not in found]
                if missing:
                    raise C360Error(f"raw table {source}.{table} ({path}) is missing required column"
                                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
                data = _without_nul(pq.read_table(path, columns=names))
                cursor.execute(f'create schema if not exists "{prefix}{source}"')
                cursor.execute(f'drop table if exists "{prefix}{source}"."{table}" cascade')
                cursor.execute(f'create table "{prefix}{source}"."{table}" ('
                               + ", ".join(f'"{n}" {POSTGRES_TYPES[t]}' for n, t in columns) + ")")
                buffer = io.BytesIO()
                pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
                buffer.seek(0)
                cursor.copy_expert(f'copy "{prefix}{source}"."{table}" from stdin with (format csv)', buffer)
                counts[f"{source}.{table}"] = data.num_rows
        connection.commit()
    return counts


def _without_nul(data):
    """PostgreSQL text cannot hold U+0000: it is loaded as U+001A (SUBSTITUTE),
    another control character, so the row is still quarantined by the
    `control_characters` rule as it would be on the other engines."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [pc.replace_substring(column, "\x00", "\x1a") if pa.types.is_string(column.type) else column
               for column in data.columns]
    return pa.table(columns, names=data.column_names)


def read_sql(project: Project, sql: str):
    """Run a query on the project's target and return a pandas DataFrame."""
    import pandas as pd

    adapter = project.adapter_type
    if adapter == "duckdb":
        import duckdb

        with duckdb.connect(str(project.warehouse), read_only=True) as connection:
            return connection.execute(sql).fetchdf()
    if adapter == "postgres":
        with postgres_connection(project) as connection:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                names = [d[0] for d in cursor.description]
                return pd.DataFrame(cursor.fetchall(), columns=names)
    if adapter == "spark":
        return spark_session(project).sql(sql).toPandas()
    raise C360Error(f"reading from a {adapter} target is not supported")


def relation_exists(project: Project, schema: str, name: str) -> bool:
    """Whether ``schema.name`` (a table or view) exists on the project's target."""
    if project.adapter_type == "spark":
        return spark_session(project).catalog.tableExists(f"{schema}.{name}")
    frame = read_sql(project, "select count(*) as n from information_schema.tables "
                              f"where table_schema = '{schema}' and table_name = '{name}'")
    return int(frame["n"].iloc[0]) > 0


def spark_session(project: Project):
    """The Spark session of a `method: session` target, configured as dbt-spark
    configures it (the profile's server_side_parameters), so a script sees the
    tables dbt built; in the process that ran dbt it is the same session."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for parameter, value in (profile_credentials(project).server_side_parameters or {}).items():
        builder = builder.config(parameter, value)
    return builder.getOrCreate()
