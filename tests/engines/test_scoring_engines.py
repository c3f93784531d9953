"""`c360 score` on PostgreSQL and Spark: the same scores as on DuckDB, written
back through the same profile and target, replaced on re-scoring, and left
intact by a write that fails (PostgreSQL: one transaction)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from c360.dbt import environment
from c360.project import Project
from c360.scoring import store
from c360.scoring.run import score
from c360.warehouse import read_sql, schema_name

pytestmark = pytest.mark.dbt


def quiet(message: str) -> None:
    pass


@pytest.fixture(scope="module")
def duckdb_scores(warehouse, dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("scored-duckdb") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    result = score(project, log=quiet)
    return result, churn_scores(project)


def churn_scores(project: Project):
    frame = read_sql(project, f"select customer_id, as_of_date, churn_probability, risk_band, model_version "
                              f"from {schema_name(project, 'scores')}.churn_scores")
    return frame.sort_values(["customer_id", "as_of_date"]).reset_index(drop=True)


def test_scores_match_duckdb_and_rescoring_replaces_them(engine, duckdb_scores):
    project, env = engine
    expected_result, expected = duckdb_scores
    with environment(env):
        result = score(project, log=quiet)
        first = churn_scores(project)
        score(project, result.as_of, log=quiet)
        again = churn_scores(project)
        recommendations = read_sql(project, f"select count(*) as n from "
                                            f"{schema_name(project, 'scores')}.upsell_recommendations")
    assert result.as_of == expected_result.as_of
    assert list(first["customer_id"]) == list(expected["customer_id"])
    assert np.allclose(first["churn_probability"].astype(float), expected["churn_probability"].astype(float),
                       atol=1e-4)
    assert list(first["risk_band"]) == list(expected["risk_band"])
    assert again.equals(first), "re-scoring the same as-of date replaces its rows"
    assert int(recommendations["n"].iloc[0]) == expected_result.upsell_rows


def test_a_failing_write_on_postgres_leaves_the_previous_scores(postgres_project, postgres_env, monkeypatch):
    with environment(postgres_env):
        before = churn_scores(postgres_project)
        if before.empty:
            score(postgres_project, log=quiet)
            before = churn_scores(postgres_project)
        original = store._aligned

        def fail_on_upsell(frame, columns, table):
            if table == "upsell_recommendations":
                raise RuntimeError("connection lost")
            return original(frame, columns, table)

        monkeypatch.setattr(store, "_aligned", fail_on_upsell)
        with pytest.raises(RuntimeError, match="connection lost"):
            score(postgres_project, log=quiet)
        assert churn_scores(postgres_project).equals(before)
