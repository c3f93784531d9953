"""The BI export (c360.bi): the public marts as Parquet, swapped in atomically
after a successful build, readable while the next export is written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from c360 import dbt
from c360.bi import VIEWS_FILE, bi_folder, export_bi, public_marts
from c360.project import C360Error, Project


@pytest.fixture()
def own_warehouse(warehouse, tmp_path) -> Path:
    """A copy of the session's warehouse that a test may change."""
    path = tmp_path / "wh" / "c360.duckdb"
    path.parent.mkdir()
    shutil.copyfile(warehouse, path)
    return path


def delete_customers(path: Path, share: str = "0.5") -> int:
    """Delete part of customer_360 (a build that changes it); its new row count."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"delete from main_marts.customer_360 where hash(customer_id) % 100 < {share} * 100")
        return connection.execute("select count(*) from main_marts.customer_360").fetchone()[0]


def current_version(root: Path) -> str:
    return os.readlink(root / "current")


def test_public_marts_are_the_contracted_marts_and_audience_views(project_dir):
    marts = public_marts(project_dir)
    assert {"customer_360", "customer_identity_map", "dim_customers", "fct_orders", "rpt_nps_monthly",
            "customer_360__marketing", "fct_tickets__support"} <= set(marts)
    # the privacy register holds hashes for the erasure machinery, not for dashboards
    assert "erasure_register" not in marts and "erasure_evidence" not in marts
    assert not any(name.startswith(("stg_", "int_", "base_")) for name in marts)


def test_export_equals_the_warehouse_marts(project_dir, own_warehouse):
    result = export_bi(project_dir, own_warehouse)
    root = bi_folder(project_dir, own_warehouse)
    assert result.current == root / "current" and (root / "current").is_symlink()
    assert (root / "current").resolve() == result.folder.resolve()
    assert not result.skipped  # every public mart is built on the full dataset
    with duckdb.connect(str(own_warehouse), read_only=True) as connection:
        schemas = dict(connection.execute("select table_name, table_schema from information_schema.tables").fetchall())
        for mart, rows in result.tables.items():
            parquet = f"read_parquet('{root / 'current' / (mart + '.parquet')}')"
            table = f'"{schemas[mart]}"."{mart}"'
            assert connection.execute(f"select count(*) from {table}").fetchone()[0] == rows
            for left, right in ((parquet, table), (table, parquet)):
                assert connection.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})"
                ).fetchone()[0] == 0, mart
            assert [d[0] for d in connection.execute(f"select * from {parquet} limit 0").description] == \
                [d[0] for d in connection.execute(f"select * from {table} limit 0").description]
    # the views database BI tools open, read-only
    with duckdb.connect(str(root / "current" / VIEWS_FILE), read_only=True) as bi:
        for mart, rows in result.tables.items():
            assert bi.execute(f'select count(*) from "{mart}"').fetchone()[0] == rows


def test_a_failed_build_leaves_the_previous_export(project_dir, own_warehouse, dataset, monkeypatch):
    project = Project.resolve(warehouse=own_warehouse, raw_path=dataset / "raw", target="duckdb")
    first = export_bi(project_dir, own_warehouse)
    root = bi_folder(project_dir, own_warehouse)
    before = current_version(root)
    full = first.tables["customer_360"]

    def failing_build(candidate, args, env, finish_erasures):
        delete_customers(candidate)  # half the build's work is done when a test fails
        return "1 failed (assert_something: got 3 results)", False

    monkeypatch.setattr(dbt, "_build_candidate", failing_build)
    with pytest.raises(C360Error, match="left unchanged"):
        dbt.run_dbt(project, "build", bi_export=True, log=lambda message: None)
    assert current_version(root) == before
    assert sorted(p.name for p in (root / "versions").iterdir()) == [first.folder.name]
    with duckdb.connect(str(root / "current" / VIEWS_FILE), read_only=True) as bi:
        assert bi.execute("select count(*) from customer_360").fetchone()[0] == full

    changed = {}

    def succeeding_build(candidate, args, env, finish_erasures):
        changed["rows"] = delete_customers(candidate)
        return None, False

    monkeypatch.setattr(dbt, "_build_candidate", succeeding_build)
    dbt.run_dbt(project, "build", bi_export=True, log=lambda message: None)
    assert current_version(root) != before
    with duckdb.connect(str(root / "current" / VIEWS_FILE), read_only=True) as bi:
        assert bi.execute("select count(*) from customer_360").fetchone()[0] == changed["rows"] < full

    # switched off in the policy: the build publishes, the export stays as it was
    monkeypatch.setattr("c360.bi.settings", lambda _: {"enabled": False})
    after = current_version(root)
    dbt.run_dbt(project, "build", bi_export=True, log=lambda message: None)
    assert current_version(root) == after


def test_a_failed_export_keeps_the_current_one(project_dir, own_warehouse, monkeypatch):
    first = export_bi(project_dir, own_warehouse)
    root = bi_folder(project_dir, own_warehouse)

    def broken(version, tables):
        raise OSError("disk full")

    monkeypatch.setattr("c360.bi._write_views", broken)
    with pytest.raises(OSError, match="disk full"):
        export_bi(project_dir, own_warehouse)
    assert current_version(root) == f"versions/{first.folder.name}"
    assert [p.name for p in (root / "versions").iterdir()] == [first.folder.name]


def test_a_reader_keeps_a_consistent_export_while_the_next_one_is_written(project_dir, own_warehouse):
    first = export_bi(project_dir, own_warehouse)
    root = bi_folder(project_dir, own_warehouse)
    full = first.tables["customer_360"]
    reader = duckdb.connect(str(root / "current" / VIEWS_FILE), read_only=True)
    try:
        assert reader.execute("select count(*) from customer_360").fetchone()[0] == full
        remaining = delete_customers(own_warehouse)
        second = export_bi(project_dir, own_warehouse)
        assert second.tables["customer_360"] == remaining < full
        # the open reader still sees the version it opened, every row of it
        assert reader.execute("select count(*), count(distinct customer_id) from customer_360").fetchone() == \
            (full, full)
        assert reader.execute("select count(*) from customer_360 c join customer_identity_map m "
                              "using (customer_id)").fetchone()[0] > 0
        # a new reader sees the new export
        with duckdb.connect(str(root / "current" / VIEWS_FILE), read_only=True) as fresh:
            assert fresh.execute("select count(*) from customer_360").fetchone()[0] == remaining
    finally:
        reader.close()
    # keep_versions (2): a third export removes the first version
    third = export_bi(project_dir, own_warehouse)
    assert sorted(p.name for p in (root / "versions").iterdir()) == sorted([second.folder.name, third.folder.name])
