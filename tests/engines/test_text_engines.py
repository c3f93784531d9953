"""`c360 enrich` on PostgreSQL and Spark: the same texts scored as on DuckDB,
written back through the same profile and target, none scored again on a
second run, and every text joined back by the models (the SQL content hash
matches the one enrichment keyed it by)."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from c360.dbt import environment, run_dbt
from c360.project import Project
from c360.text.enrich import enrich
from c360.warehouse import read_sql, schema_name

pytestmark = pytest.mark.dbt


def quiet(message: str) -> None:
    pass


def sentiment_rows(project: Project):
    frame = read_sql(project, "select source_table, record_id, content_hash, sentiment_score, sentiment_label "
                              f"from {schema_name(project, 'enrichment')}.text_sentiment")
    frame["sentiment_score"] = frame["sentiment_score"].astype(float)
    return frame.sort_values(["source_table", "record_id"]).reset_index(drop=True)


def registered_for_erasure(project: Project) -> set[str]:
    """Hashes of the records the erasure register holds."""
    frame = read_sql(project, f"select record_key_hash from {schema_name(project, 'privacy')}.erasure_register")
    return set(frame["record_key_hash"])


def kept(rows, erased: set[str]):
    """The rows of records no erasure request names: whether a build has
    already left an erased record's text out depends on how many builds the
    warehouse has seen, not on the engine."""
    keys = (rows["source_table"] + ":" + rows["record_id"].astype(str)).map(
        lambda key: hashlib.sha256(key.encode()).hexdigest())
    return rows[~keys.isin(erased)].reset_index(drop=True)


@pytest.fixture(scope="module")
def duckdb_enriched(warehouse, dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("enriched-duckdb") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    enrich(project, log=quiet)
    return sentiment_rows(project), registered_for_erasure(project)


def test_enrichment_matches_duckdb_and_runs_incrementally(engine, duckdb_enriched):
    project, env = engine
    expected, erased_on_duckdb = duckdb_enriched
    with environment(env):
        first = enrich(project, log=quiet)
        rows = sentiment_rows(project)
        second = enrich(project, log=quiet)
        run_dbt(project, "build", ["--select", "enrichment+", "--exclude", "resource_type:unit_test"])
        intermediate = schema_name(project, "intermediate")
        texts = read_sql(project, f"select is_enriched, count(*) as n from {intermediate}.int_texts__enriched "
                                  "group by is_enriched")
        erased = read_sql(project, f"""
            select count(*) as n from {intermediate}.int_texts__enriched
            where not is_enriched and {sha256(project, 'text_id')} in (
                select record_key_hash from {schema_name(project, 'privacy')}.erasure_register)
        """)
        c360 = read_sql(project, f"select count(*) as n, sum(texts_recent) as texts "
                                 f"from {schema_name(project, 'marts')}.customer_360")
        erased_records = erased_on_duckdb | registered_for_erasure(project)
    # the first run scored every text the table holds, the second none
    assert first.total_scored == len(rows) > 0
    rows, expected = kept(rows, erased_records), kept(expected, erased_records)
    assert len(rows) > 0
    assert second.total_scored == 0
    assert rows[["source_table", "record_id", "content_hash", "sentiment_label"]].equals(
        expected[["source_table", "record_id", "content_hash", "sentiment_label"]])
    assert (rows["sentiment_score"] - expected["sentiment_score"]).abs().max() < 1e-9
    counts = {bool(flag): int(n) for flag, n in zip(texts["is_enriched"], texts["n"], strict=True)}
    # every text is joined back, but the erased records a table-materialised staging
    # model keeps until it is rebuilt (their enrichment rows were deleted)
    assert counts.get(True, 0) > 0
    assert counts.get(False, 0) == int(erased["n"].iloc[0])
    assert int(c360["texts"].iloc[0]) > 0


def sha256(project: Project, expr: str) -> str:
    return f"encode(sha256(convert_to({expr}, 'UTF8')), 'hex')" if project.adapter_type == "postgres" \
        else f"sha2({expr}, 256)"
