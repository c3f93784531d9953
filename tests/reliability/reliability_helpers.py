"""Helpers of the reliability tests: content hashes of a warehouse, a process holding the file open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def content_hashes(path: Path, exclude_columns: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """(rows, sum of the rows' hashes) of every table and view in every schema
    of a DuckDB file: equal for two relations with the same rows, in any
    order. Columns named in ``exclude_columns`` are left out (run times)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:
        relations = db.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by all").fetchall()
        hashes = {}
        for schema, table in relations:
            columns = [f'"{name}"' for (name,) in db.execute(
                "select column_name from information_schema.columns where table_catalog = current_database() "
                "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
                if name not in exclude_columns]
            hashes[f"{schema}.{table}"] = db.execute(
                f'select count(*), coalesce(sum(hash(r)::hugeint), 0) '
                f'from (select {", ".join(columns)} from "{schema}"."{table}") as r').fetchone()
    return hashes


def differences(actual: dict, expected: dict) -> list[str]:
    """Relations whose content differs, or that only one side has."""
    return [f"{name}: {actual.get(name)} != {expected.get(name)}"
            for name in sorted(set(actual) | set(expected)) if actual.get(name) != expected.get(name)]


def c360_command(*args: str) -> list[str]:
    """The command line of `c360` in this environment."""
    return [str(Path(sys.executable).with_name("c360")), *args]


class Holder:
    """A separate process holding a DuckDB file open, as a BI tool does; it
    answers queries sent to it, one per line."""

    CODE = """
import json, sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read_only')
print('open', flush=True)
for line in sys.stdin:
    print(json.dumps(connection.execute(line).fetchall(), default=str), flush=True)
"""

    def __init__(self, path: Path, read_only: bool) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(path), "read_only" if read_only else "read_write"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "open", self.process.stderr.read()
        self.pid = self.process.pid

    def query(self, sql: str):
        import json

        self.process.stdin.write(" ".join(sql.split()) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the holding process died: {self.process.stderr.read()}"
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
