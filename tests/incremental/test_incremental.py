"""An incremental build of the next day equals a full build of it.

The test dataset is split into the state a day earlier and the next day
(c360.generate.next_day: new rows, late rows for earlier days, stragglers a
slow loader delivers after the cutoff, replayed files and rows sent again).
The earlier state is built in full, then the next day incrementally, and
every table is compared with a full build of the next day, row by row.
Erasure requests are not honoured here: a build that honours one removes
the person only from the next build on (tests/privacy/test_erasure.py), so
a first full build would differ from a second incremental one by design.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from c360.compare import differences
from c360.dbt import run_dbt
from c360.generate.next_day import EVENT_TABLES, split_days
from c360.project import Project

INCREMENTAL_MODELS = [f"stg_{name.replace('/', '__')}" for name in EVENT_TABLES]
NO_ERASURES = ["--vars", "{c360_erasure: {honoured_statuses: []}}"]
#: builds whose data tests are not the point: seeds, snapshots and models only
UNTESTED = ["--exclude", "resource_type:test", "resource_type:unit_test"]


def compiled_code(project: Project, model: str) -> str:
    """The SQL the last dbt invocation ran for ``model``."""
    target_path = Path(os.environ.get("DBT_TARGET_PATH") or project.project_dir / "target")
    results = json.loads((project.project_dir / target_path / "run_results.json").read_text())
    for result in results["results"]:
        if result["unique_id"] == f"model.c360.{model}":
            return result["compiled_code"]
    raise AssertionError(f"{model} did not run")


@pytest.fixture(scope="module")
def days(dataset, tmp_path_factory):
    root = tmp_path_factory.mktemp("days")
    return split_days(dataset / "raw", root / "before", root / "after")


@pytest.fixture(scope="module")
def builds(days, tmp_path_factory):
    """(incremental warehouse, full warehouse, compiled SQL of each incremental model per run).

    The day before and the full build of the next day build without tests
    (the session's warehouse fixture builds and tests the whole dataset in
    full); the incremental build runs every data test on what it made.
    """
    root = tmp_path_factory.mktemp("incremental")
    incremental = Project.resolve(warehouse=root / "incremental.duckdb", raw_path=days.before, target="duckdb")
    run_dbt(incremental, "build", [*NO_ERASURES, *UNTESTED])
    first = {model: compiled_code(incremental, model) for model in INCREMENTAL_MODELS}
    incremental = Project.resolve(warehouse=root / "incremental.duckdb", raw_path=days.after, target="duckdb")
    run_dbt(incremental, "build", [*NO_ERASURES, "--exclude", "resource_type:unit_test"])
    second = {model: compiled_code(incremental, model) for model in INCREMENTAL_MODELS}
    full = Project.resolve(warehouse=root / "full.duckdb", raw_path=days.after, target="duckdb")
    run_dbt(full, "build", [*NO_ERASURES, *UNTESTED])
    return incremental.warehouse, full.warehouse, first, second


def test_next_day_brings_late_rows_stragglers_and_replays(days):
    for kind in ("late", "stragglers", "replayed", "resent"):
        assert sum(getattr(days, kind).values()) > 0, kind
    new_events = days.rows_after["usage/events"] - days.rows_before["usage/events"]
    assert new_events > days.late["usage/events"] + days.replayed["usage/events"] + days.resent["usage/events"]
    # snapshot tables are whole in both states
    assert days.rows_before["crm/contacts"] == days.rows_after["crm/contacts"]


@pytest.mark.dbt
def test_event_models_build_incrementally(builds):
    _, _, first, second = builds
    for model in INCREMENTAL_MODELS:
        # the first build reads everything; the next one only keys loaded within the lookback
        assert "recent.loaded_at" not in first[model], model
        assert "recent.loaded_at" in second[model], model


@pytest.mark.dbt
def test_incremental_build_equals_full_build(builds, duckdb_connect):
    incremental, full, _, _ = builds
    left, right = duckdb_connect(incremental), duckdb_connect(full)
    listing = ("select table_schema, table_name from information_schema.tables "
               "where table_type = 'BASE TABLE' order by 1, 2")
    tables = left.execute(listing).fetchall()
    assert tables == right.execute(listing).fetchall()
    assert ("main_marts", "customer_identity_map") in tables
    problems = {}
    for schema, name in tables:
        query = f'select * from "{schema}"."{name}"'
        a, b = left.execute(query).fetchdf(), right.execute(query).fetchdf()
        found = differences(a, b, list(a.columns))
        if found:
            problems[f"{schema}.{name}"] = found
    assert problems == {}
