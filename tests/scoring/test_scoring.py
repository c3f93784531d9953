"""`c360 score` on the test dataset: write-back, idempotence, atomicity,
leakage rejection, the baseline gate, consent and ownership, backtests.

Scoring writes to a copy of the session's warehouse, so other tests keep
reading the first build (score tables present and empty).
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import duckdb
import numpy as np
import pytest

from c360.dbt import run_dbt
from c360.project import Project
from c360.scoring import churn, store
from c360.scoring.config import ScoringConfig
from c360.scoring.run import score

pytestmark = pytest.mark.dbt


def query(path, sql):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def churn_rows(path, as_of=None):
    where = f"where as_of_date = date '{as_of}'" if as_of else ""
    return query(path, f"select customer_id, as_of_date, churn_probability, risk_band, top_reasons, model_version "
                       f"from main_scores.churn_scores {where} order by all")


@pytest.fixture(scope="module")
def scored(warehouse, dataset, tmp_path_factory):
    """A copy of the warehouse, scored once as of the dataset's date."""
    path = tmp_path_factory.mktemp("scored") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    result = score(project, log=lambda message: None)
    return project, result


def test_a_build_before_scoring_has_empty_score_tables_and_columns(warehouse):
    for table in ("churn_scores", "upsell_recommendations", "model_runs"):
        assert query(warehouse, f"select count(*) from main_scores.{table}") == [(0,)]
    assert query(warehouse, "select count(churn_score), count(upsell_score), count(*) > 0 "
                            "from main_marts.customer_360") == [(0, 0, True)]


def test_scores_are_written_back_with_their_model_runs(scored):
    project, result = scored
    path = project.warehouse
    assert result.published == ["churn", "upsell"]
    as_of = result.as_of
    # customers of registered erasure requests are neither learnt from nor scored
    population = query(path, f"""
        select count(*) from main_intermediate.int_customers__weekly_snapshots
        where snapshot_date = date '{as_of}'
          and lifecycle_stage in ('new_customer', 'active', 'at_risk', 'reactivated')
          and sha256(customer_id) not in (
              select customer_id_hash from main_privacy.erasure_register where customer_id_hash is not null)""")[0][0]
    rows = churn_rows(path, as_of)
    assert len(rows) == population == result.churn_rows > 0
    probabilities = np.array([r[2] for r in rows])
    assert ((probabilities >= 0) & (probabilities <= 1)).all() and probabilities.std() > 0.05
    high = [r for r in rows if r[3] == "high"]
    assert high and all(r[4] for r in high), "every high-risk customer has reasons"
    assert all(r[2] >= 0.5 for r in high)
    runs = query(path, "select model_kind, status, roc_auc, baseline_roc_auc, brier, base_rate_brier, "
                       "hit_rate_at_k, baseline_hit_rate_at_k, features, training_rows, model_version "
                       "from main_scores.model_runs order by model_kind")
    (c_kind, c_status, auc, base_auc, brier, base_brier, *_), (u_kind, u_status, *_, hit, popular, _, _, _) = runs
    assert (c_kind, c_status, u_kind, u_status) == ("churn", "published", "upsell", "published")
    assert auc >= base_auc and brier < base_brier, "churn beats its baseline and the base rate"
    assert hit >= popular
    assert {r[5] for r in rows} == {runs[0][-1]}


def test_customer_360_shows_the_scores_after_the_next_build(scored):
    project, result = scored
    run_dbt(project, "build", ["--select", "scores", "customer_360"])
    count, with_score, with_band = query(project.warehouse, """
        select count(*), count(churn_score), count(churn_risk_band) from main_marts.customer_360""")[0]
    assert with_score == with_band == result.churn_rows
    mismatched = query(project.warehouse, f"""
        select count(*) from main_marts.customer_360 as c
        inner join main_scores.churn_scores as s
            on c.customer_id = s.customer_id and s.as_of_date = date '{result.as_of}'
        where c.churn_score <> s.churn_probability""")[0][0]
    assert mismatched == 0


def test_recommendations_respect_consent_and_ownership(scored):
    project, result = scored
    path = project.warehouse
    without_consent = query(path, """
        select count(*) from main_scores.upsell_recommendations as r
        left join main_marts.customer_360 as c on r.customer_id = c.customer_id
        where c.email_marketing_consent is distinct from 'granted'""")[0][0]
    assert without_consent == 0
    owned = query(path, f"""
        select count(*) from main_scores.upsell_recommendations as r
        inner join main_marts.fct_order_lines as l
            on r.customer_id = l.customer_id and r.subcategory = l.subcategory
        where l.order_status = 'completed' and cast(l.ordered_at as date) <= date '{result.as_of}'""")[0][0]
    assert owned == 0
    per_customer = query(path, "select max(n), min(n) from (select customer_id, count(*) as n "
                               "from main_scores.upsell_recommendations group by customer_id)")[0]
    assert per_customer[0] <= 3 and per_customer[1] >= 1
    assert result.upsell_rows > 0


def test_rescoring_the_same_as_of_date_replaces_its_rows(scored):
    project, result = scored
    before = churn_rows(project.warehouse, result.as_of)
    recommendations = query(project.warehouse, "select count(*) from main_scores.upsell_recommendations")
    again = score(project, result.as_of, log=lambda message: None)
    assert churn_rows(project.warehouse, result.as_of) == before, "same inputs, same scores and version"
    assert query(project.warehouse, "select count(*) from main_scores.upsell_recommendations") == recommendations
    assert query(project.warehouse, "select count(*), count(distinct model_version) from main_scores.model_runs") \
        == [(2, 2)]
    assert again.churn_run["model_version"] == result.churn_run["model_version"]


def test_a_failing_write_leaves_the_previous_scores_intact(scored, monkeypatch):
    project, result = scored
    before = churn_rows(project.warehouse)
    runs = query(project.warehouse, "select * from main_scores.model_runs order by all")
    original = store._aligned

    def fail_on_upsell(frame, columns, table):
        if table == "upsell_recommendations":  # after churn_scores was already replaced in the transaction
            raise RuntimeError("disk full")
        return original(frame, columns, table)

    monkeypatch.setattr(store, "_aligned", fail_on_upsell)
    with pytest.raises(RuntimeError, match="disk full"):
        score(project, result.as_of, log=lambda message: None)
    assert churn_rows(project.warehouse) == before
    assert query(project.warehouse, "select * from main_scores.model_runs order by all") == runs


def test_a_feature_that_leaks_the_label_is_rejected(scored):
    project, result = scored
    before = churn_rows(project.warehouse)
    rng = np.random.default_rng(0)

    def plant(rows):  # "days inactive in the next quarter", a feature from the future
        return rows.assign(days_inactive_next_91d=rows["churned"] * 91 + rng.integers(0, 5, len(rows)))

    with pytest.raises(churn.LeakageError, match="days_inactive_next_91d"):
        score(project, result.as_of, transform=plant, log=lambda message: None)
    assert churn_rows(project.warehouse) == before


def test_a_model_worse_than_the_baseline_is_not_published(scored, monkeypatch):
    project, result = scored
    before = churn_rows(project.warehouse)
    from sklearn.dummy import DummyClassifier

    monkeypatch.setattr(churn, "candidate_models",
                        lambda random_state: {"constant": DummyClassifier(strategy="prior")})
    with pytest.raises(churn.BaselineGateError, match="churn model not published: ROC AUC"):
        score(project, result.as_of, log=lambda message: None)
    assert churn_rows(project.warehouse) == before, "the previously published churn scores stay"
    rejected = query(project.warehouse, "select status, message from main_scores.model_runs "
                                        "where model_kind = 'churn' and status = 'rejected'")
    assert len(rejected) == 1 and "baseline" in rejected[0][1]


def test_scoring_as_of_a_past_date_uses_only_what_was_known_then(scored):
    project, result = scored
    config = ScoringConfig.load(project.project_dir)
    past = result.as_of - timedelta(days=120)
    backtest = score(project, past, log=lambda message: None)
    assert backtest.as_of <= past and backtest.as_of > past - timedelta(days=7)
    run = backtest.churn_run
    assert run["test_end"] + timedelta(days=config.churn_horizon_days) <= backtest.as_of, \
        "every label window closed by the as-of date"
    assert backtest.upsell_run["test_end"] + timedelta(days=config.upsell_horizon_days) <= backtest.as_of
    dates = {r[1] for r in churn_rows(project.warehouse)}
    assert dates == {result.as_of, backtest.as_of}, "each as-of date keeps its own scores"


def test_configuration_is_checked():
    from pathlib import Path

    from c360.project import C360Error

    project_dir = Path(__file__).resolve().parents[2]
    with pytest.raises(C360Error, match="multiple of 7"):
        ScoringConfig.load(project_dir, {"churn_horizon_days": 90})
    with pytest.raises(C360Error, match="upsell_max_customers_per_date must be at least 1"):
        ScoringConfig.load(project_dir, {"upsell_max_customers_per_date": 0})
    with pytest.raises(C360Error, match="unknown setting"):
        ScoringConfig.load(project_dir, {"horizon": 5})
    assert isinstance(ScoringConfig.load(project_dir).churn_horizon_days, int)


def test_the_command_line_exits_with_1_when_a_model_is_refused(scored, monkeypatch, capsys):
    project, _ = scored
    from sklearn.dummy import DummyClassifier

    from c360 import cli

    monkeypatch.setattr(churn, "candidate_models",
                        lambda random_state: {"constant": DummyClassifier(strategy="prior")})
    monkeypatch.setattr("sys.argv", ["c360", "score", "--warehouse", str(project.warehouse), "--quiet"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    assert "churn model not published" in capsys.readouterr().err
