"""int_identity__clusters reuses the components of the guarded merge.

In a build, int_identity__cluster_audit's guarded merge keeps its final
components and int_identity__clusters reads them instead of searching the
kept edges again; run on its own (another dbt invocation) it searches them.
Both ways must give the same clusters.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from c360.dbt import run_dbt
from c360.project import Project

CLUSTERS = "main_intermediate.int_identity__clusters"


@pytest.mark.dbt
def test_clusters_built_alone_equal_the_components_reused_from_the_guarded_merge(warehouse, dataset, tmp_path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        # The build reused the merge's components: reading them drops them, so no work table is left.
        leftovers = connection.execute(
            "select table_name from information_schema.tables where table_name like '%\\_\\_cc\\_%' escape '\\'"
        ).fetchall()
        multi_record = connection.execute(f"select count(*) from {CLUSTERS} where cluster_record_count > 1").fetchone()
    finally:
        connection.close()
    assert leftovers == []
    assert multi_record[0] > 0

    copy = tmp_path / "clusters.duckdb"
    shutil.copyfile(warehouse, copy)
    project = Project.resolve(warehouse=copy, raw_path=dataset / "raw", target="duckdb")
    run_dbt(project, "run", ["--select", "int_identity__clusters"])

    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{warehouse}' as built (read_only)")
        connection.execute(f"attach '{copy}' as alone (read_only)")
        differences = [
            connection.execute(
                f"select count(*) from (select * from {one}.{CLUSTERS} except all select * from {other}.{CLUSTERS})"
            ).fetchone()[0]
            for one, other in (("built", "alone"), ("alone", "built"))
        ]
        rows = connection.execute(f"select count(*) from alone.{CLUSTERS}").fetchone()[0]
    finally:
        connection.close()
    assert rows > 0
    assert differences == [0, 0]
