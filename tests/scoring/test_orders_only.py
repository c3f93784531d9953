"""A business with nothing but order history: CDNOW's real transactions
(a 1/10 sample, 2,357 customers, shipped in the lifetimes package) as the
only source, built and scored by the same pipeline and compared with BG/NBD."""

from __future__ import annotations

import duckdb
import pytest

from c360.dbt import run_dbt
from c360.project import Project
from c360.scoring import bench, churn
from c360.scoring.config import ScoringConfig
from c360.scoring.run import score

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def orders_only(tmp_path_factory):
    transactions = bench.cdnow_transactions(sample=True)
    folder = tmp_path_factory.mktemp("cdnow")
    raw = bench.write_orders_only_dataset(transactions, folder, bench.CDNOW_AS_OF)
    project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=raw, target="duckdb")
    run_dbt(project, "build", only_sources=["commerce"])
    return project, transactions


def test_every_buyer_is_one_customer(orders_only):
    project, transactions = orders_only
    with duckdb.connect(str(project.warehouse), read_only=True) as connection:
        customers, orders = connection.execute(
            "select count(distinct customer_id), count(*) from main_marts.fct_orders").fetchone()
        in_360 = connection.execute("select count(*) from main_marts.customer_360 where is_customer").fetchone()[0]
    assert customers == in_360 == transactions["customer"].nunique() == 2357
    assert orders == len(transactions)


def test_scoring_works_from_orders_alone(orders_only):
    project, _ = orders_only
    try:
        result = score(project, log=lambda message: None)
        published = True
    except churn.BaselineGateError as error:
        assert "churn model not published" in str(error)
        published = False
    with duckdb.connect(str(project.warehouse), read_only=True) as connection:
        runs = connection.execute("select model_kind, status, roc_auc, baseline_roc_auc "
                                  "from main_scores.model_runs order by model_kind").fetchall()
        scores = connection.execute("select count(*) from main_scores.churn_scores").fetchone()[0]
        recommendations = connection.execute("select count(*) from main_scores.upsell_recommendations").fetchone()[0]
    assert [r[:2] for r in runs][1:] == [("upsell", "skipped")], "one category: nothing to cross-sell"
    assert recommendations == 0
    (_, status, auc, baseline_auc), _ = runs
    assert auc > 0.65 and baseline_auc > 0.65, "recency and frequency carry the signal"
    if published:
        assert status == "published" and scores == result.churn_rows > 0 and auc >= baseline_auc
    else:
        assert status == "rejected" and scores == 0 and auc < baseline_auc


def test_bg_nbd_is_scored_on_the_same_examples(orders_only):
    project, _ = orders_only
    figures = bench.evaluate(project, ScoringConfig.load(project.project_dir), log=lambda message: None)
    assert figures["test_rows"] > 1000
    for model in ("candidate", "rfm_baseline", "bgnbd_expected_purchases", "bgnbd_not_alive"):
        assert 0.6 < figures[model]["roc_auc"] < 0.95, model
