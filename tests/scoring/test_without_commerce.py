"""A business without the commerce source (customers come from
subscriptions, no order lines are built): `c360 score` scores churn, skips
upsell with a one-line message and records the skip in model_runs."""

from __future__ import annotations

import duckdb
import pytest

from c360 import cli
from c360.dbt import run_dbt
from c360.generate import generate_dataset
from c360.project import Project

pytestmark = pytest.mark.dbt

SOURCES = ["crm", "billing", "usage", "support"]
SKIPPED = "no order lines, the commerce source is off"


def query(path, sql):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def without_commerce(tmp_path_factory):
    folder = tmp_path_factory.mktemp("without_commerce")
    generate_dataset(customers=300, seed=3, out=folder, progress=False)
    project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=folder / "raw", target="duckdb")
    run_dbt(project, "build", only_sources=SOURCES)
    return project


def test_score_writes_churn_and_skips_upsell(without_commerce, monkeypatch, capsys):
    path = without_commerce.warehouse
    assert query(path, "select count(*) from information_schema.tables where table_name = 'fct_order_lines'") \
        == [(0,)]
    monkeypatch.setattr("sys.argv", ["c360", "score", "--warehouse", str(path)])
    cli.main()  # returns (exit code 0) unless a model is refused or the run fails
    output = capsys.readouterr()
    assert [line for line in output.err.splitlines() if line.startswith("upsell")] \
        == [f"upsell: skipped, {SKIPPED}"]
    assert f"upsell skipped ({SKIPPED})" in output.out
    runs = query(path, "select model_kind, status, message, scored_rows from main_scores.model_runs "
                       "order by model_kind")
    (churn_kind, churn_status, _, churn_rows), upsell_run = runs
    assert (churn_kind, churn_status) == ("churn", "published")
    assert upsell_run == ("upsell", "skipped", SKIPPED, 0)
    as_of = query(path, "select max(as_of_date) from main_scores.churn_scores")[0][0]
    population = query(path, f"""
        select count(*) from main_intermediate.int_customers__weekly_snapshots
        where snapshot_date = date '{as_of}'
          and lifecycle_stage in ('new_customer', 'active', 'at_risk', 'reactivated')""")[0][0]
    assert query(path, "select count(*) from main_scores.churn_scores") == [(churn_rows,)]
    assert churn_rows == population > 0
    assert query(path, "select count(*) from main_scores.upsell_recommendations") == [(0,)]


def test_the_score_tables_pass_their_tests_with_a_skipped_run(without_commerce):
    if not query(without_commerce.warehouse, "select count(*) from main_scores.model_runs")[0][0]:
        pytest.skip("needs the scoring of the test before")
    run_dbt(without_commerce, "build", ["--select", "scores"], only_sources=SOURCES)
