"""`c360 bench scale`: its floor query, step measurement and report."""

from __future__ import annotations

import json
import sys

import duckdb
import pytest
from click.testing import CliRunner

from c360.cli import cli
from c360.project import C360Error
from c360.scale_bench import SizeResult, Step, dbt_passes, floor_sql, kind_times, run_step, to_json, to_markdown


def test_floor_reads_every_raw_table_once_into_one_row_per_person_key(dataset, tmp_path):
    raw = dataset / "raw"
    database = tmp_path / "floor.duckdb"
    duckdb.connect().execute(floor_sql(raw, database))
    with duckdb.connect(str(database), read_only=True) as connection:
        keys, rows = connection.execute("select count(*), sum(row_count) from people").fetchone()
        # one row per key (rows without a person key share one null row)
        assert connection.execute(
            "select count(*) = count(distinct person_key) + count(*) filter (where person_key is null) from people"
        ).fetchone()[0]
    with duckdb.connect() as connection:
        raw_rows = sum(connection.execute(f"select count(*) from read_parquet('{f}')").fetchone()[0]
                       for f in raw.glob("*/*.parquet"))
    assert rows == raw_rows
    assert 0 < keys < raw_rows


def test_run_step_measures_the_child_and_reports_failures(tmp_path):
    step = run_step([sys.executable, "-c", "x = bytearray(200 * 1024 * 1024)"], tmp_path / "ok.log")
    assert step.seconds > 0
    assert step.peak_memory_mb >= 200
    with pytest.raises(C360Error, match="exit 3"):
        run_step([sys.executable, "-c", "print('boom'); raise SystemExit(3)"], tmp_path / "fail.log")


def test_report_carries_the_ratios():
    result = SizeResult(customers=1000, generate=Step(2.0, 100), full_build=Step(40.0, 900),
                        incremental_build=Step(4.0, 800), floor=Step(0.5, 50), raw_rows=10_000,
                        next_day_rows=300, rows_per_layer={"raw": 10_300, "staging": 9_000})
    document = to_json([result], seed=1)
    assert document["sizes"][0]["full_over_floor"] == 80.0
    assert document["sizes"][0]["incremental_over_full"] == 0.1
    json.dumps(document)
    assert "| 1,000 | 10,000 |" in to_markdown([result], seed=1)


def test_build_breakdown_reads_each_dbt_pass_and_node_kind(tmp_path):
    log = tmp_path / "build.log"
    log.write_text("12:00:00  Finished running 3 table models in 0 hours 1 minutes and 43.29 seconds (103.29s).\n"
                   "12:02:00  Finished running 3 table models in 0 hours 1 minutes and 37 seconds (97s).\n")
    assert dbt_passes(log) == [103.29, 97.0]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": [
        {"unique_id": "model.c360.a", "execution_time": 2.0}, {"unique_id": "test.c360.t", "execution_time": 0.25},
        {"unique_id": "model.c360.b", "execution_time": 1.0},
        {"unique_id": "unit_test.c360.a.u", "execution_time": 4.0},
    ]}))
    assert list(kind_times(tmp_path).items()) == [("unit_test", 4.0), ("model", 3.0), ("test", 0.2)]
    result = SizeResult(customers=1000, generate=Step(2.0, 100), full_build=Step(40.0, 900),
                        incremental_build=Step(4.0, 800), floor=Step(0.5, 50), raw_rows=10_000,
                        next_day_rows=300, rows_per_layer={"raw": 10_300}, scoring=Step(3.0, 400, exit_code=1),
                        dbt_passes_full=[20.0, 18.5], kinds_full={"model": 30.0})
    text = to_markdown([result], seed=1)
    assert "dbt invocations of the full build (s): 20.0, 18.5 (the second leaves out" in text
    assert "Scoring exited 1" in text and "| 3.0 |" in text


def test_sizes_must_be_numbers():
    result = CliRunner().invoke(cli, ["bench", "scale", "--sizes", "ten"])
    assert isinstance(result.exception, C360Error)
