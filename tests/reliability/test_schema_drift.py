"""Schema drift: raw tables that no longer match their contract.

A missing or retyped column stops the build before anything is built, with
one message naming the table and the column; extra columns are ignored; an
optional source (`c360_optional_sources`) that is absent is skipped and said
so; any other missing raw table stops the run with its name.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from reliability_helpers import content_hashes

from c360.dbt import run_dbt
from c360.project import C360Error, Project

pytestmark = pytest.mark.dbt


def copy_raw(dataset: Path, target: Path) -> Path:
    """A copy of the dataset's raw/ and manifest (its as-of date) under ``target``."""
    shutil.copytree(dataset / "raw", target / "raw")
    shutil.copyfile(dataset / "manifest.json", target / "manifest.json")
    return target / "raw"


def rewrite(path: Path, change) -> None:
    pq.write_table(change(pq.read_table(path)), path)


@pytest.fixture(scope="module")
def drifted(dataset, tmp_path_factory):
    """The session's dataset with two extra columns on CRM contacts and no
    social files, social declared optional; staging built from it. Returns
    (warehouse path, what the run printed on stderr)."""
    folder = tmp_path_factory.mktemp("drifted")
    raw = copy_raw(dataset, folder)
    rewrite(raw / "crm" / "contacts.parquet", lambda t: t.append_column(
        "_ingest_batch", pa.array([f"batch-{i % 7}" for i in range(t.num_rows)])).append_column(
        "loyalty_tier", pa.array(["gold"] * t.num_rows)))
    shutil.rmtree(raw / "social")
    project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=raw, target="duckdb")
    printed = io.StringIO()
    with redirect_stderr(printed):
        run_dbt(project, "build", ["--select", "staging", "--vars", "{c360_optional_sources: [social]}"])
    return project.warehouse, printed.getvalue()


def test_extra_columns_are_ignored(drifted, warehouse):
    path, _ = drifted
    import duckdb

    built, clean = content_hashes(path), content_hashes(warehouse)
    for relation in ("main_staging.stg_crm__contacts", "main_staging.base_crm__contacts"):
        assert built[relation] == clean[relation], relation
    query = ("select count(*), coalesce(sum(hash(q)::hugeint), 0) from main_quality.dq_quarantine as q "
             "where source_name = 'crm'")
    with duckdb.connect(str(path), read_only=True) as a, duckdb.connect(str(warehouse), read_only=True) as b:
        assert a.execute(query).fetchone() == b.execute(query).fetchone(), "quarantined raw values unchanged"
        assert "loyalty_tier" not in a.execute(
            "select raw_values from main_quality.dq_quarantine where table_name = 'contacts' limit 1").fetchone()[0]


def test_an_absent_optional_source_is_skipped_and_said_so(drifted):
    path, printed = drifted
    assert "source social: no raw tables" in printed and "skipped" in printed
    built = content_hashes(path)
    assert "main_staging.stg_crm__contacts" in built
    assert not [name for name in built if "social" in name]


def test_a_missing_or_retyped_column_stops_the_build_naming_table_and_column(dataset, tmp_path):
    raw = copy_raw(dataset, tmp_path)
    rewrite(raw / "crm" / "contacts.parquet", lambda t: t.drop(["email"]))
    rewrite(raw / "social" / "mentions.parquet", lambda t: t.set_column(
        t.schema.get_field_index("like_count"), "like_count", pc.cast(t["like_count"], pa.string())))
    project = Project.resolve(warehouse=tmp_path / "c360.duckdb", raw_path=raw, target="duckdb")
    with pytest.raises(C360Error) as raised:
        run_dbt(project, "build")
    message = str(raised.value)
    assert "\n" not in message
    assert "raw table crm.contacts (raw_crm.contacts) is missing required column email" in message
    assert "raw table social.mentions (raw_social.mentions): column like_count is VARCHAR, declared bigint" in message
    assert "left unchanged" in message
    assert not project.warehouse.exists()


def test_an_absent_required_source_stops_the_run_before_dbt(dataset, tmp_path):
    raw = copy_raw(dataset, tmp_path)
    shutil.rmtree(raw / "usage")
    project = Project.resolve(warehouse=tmp_path / "c360.duckdb", raw_path=raw, target="duckdb")
    with pytest.raises(C360Error, match=r"source usage: no raw tables .*c360_optional_sources"):
        run_dbt(project, "build")
    (raw / "usage").mkdir()
    shutil.copyfile(dataset / "raw" / "usage" / "sessions.parquet", raw / "usage" / "sessions.parquet")
    with pytest.raises(C360Error, match=r"raw tables usage\.app_users, usage\.events missing"):
        run_dbt(project, "build")
    assert not project.warehouse.exists()
