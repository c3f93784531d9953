"""The metadata gate (dbt-score with the rules of c360.metadata_rules, set up
in pyproject.toml) and the semantic layer, on a manifest parsed with every
source switched on: the project passes; a removed description, primary-key
test or contract makes it fail and names what is missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> Path:
    """target folder of `dbt parse` with every source on (the people source included)."""
    from c360.dbt import run_dbt
    from c360.project import Project

    folder = tmp_path_factory.mktemp("parsed")
    project = Project.resolve(warehouse=folder / "parse.duckdb", target="duckdb")
    run_dbt(project, "parse", ["--target-path", str(folder), "--vars", "{c360_disabled_sources: []}"])
    assert (folder / "manifest.json").is_file()
    return folder


def lint(manifest: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dbt_score", "lint", "--manifest", str(manifest),
                           "--show", "failing-items"],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)


def altered(parsed: Path, tmp_path: Path, change) -> Path:
    manifest = json.loads((parsed / "manifest.json").read_text())
    change(manifest)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def test_project_passes_the_gate(parsed):
    result = lint(parsed / "manifest.json")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    manifest = json.loads((parsed / "manifest.json").read_text())
    # every model of every source was evaluated, none disabled
    assert not manifest.get("disabled"), sorted(manifest["disabled"])
    assert "model.c360.stg_people__records" in manifest["nodes"]


def test_gate_names_a_missing_column_description(parsed, tmp_path):
    def change(manifest):
        manifest["nodes"]["model.c360.customer_360"]["columns"]["health_score"]["description"] = ""
        manifest["sources"]["source.c360.crm.accounts"]["description"] = ""

    result = lint(altered(parsed, tmp_path, change))
    assert result.returncode != 0
    assert "customer_360" in result.stdout and "no description for: health_score" in result.stdout
    assert "crm.accounts" in result.stdout and "the source table itself" in result.stdout


def test_gate_names_a_model_without_primary_key_test(parsed, tmp_path):
    target = "model.c360.fct_orders"

    def change(manifest):
        for node in manifest["nodes"].values():
            if (node["resource_type"] == "test" and target in node["depends_on"]["nodes"]
                    and node["test_metadata"]["name"] == "unique"):
                node["depends_on"]["nodes"] = []
                node["attached_node"] = None

    result = lint(altered(parsed, tmp_path, change))
    assert result.returncode != 0
    assert "fct_orders" in result.stdout and "no primary-key test" in result.stdout


def test_gate_names_a_public_mart_without_enforced_contract(parsed, tmp_path):
    def change(manifest):
        manifest["nodes"]["model.c360.rpt_nps_monthly"]["config"]["contract"]["enforced"] = False

    result = lint(altered(parsed, tmp_path, change))
    assert result.returncode != 0
    assert "rpt_nps_monthly" in result.stdout and "without an enforced contract" in result.stdout


def test_gate_names_a_shared_import_cte_left_to_be_copied(parsed, tmp_path):
    target = "model.c360.customer_360"
    hinted = "touchpoints as {{ c360.cte_hint('inline') }} ("

    def change(manifest):
        node = manifest["nodes"][target]
        assert hinted in node["raw_code"]
        node["raw_code"] = node["raw_code"].replace(hinted, "touchpoints as (")

    result = lint(altered(parsed, tmp_path, change))
    assert result.returncode != 0
    assert "customer_360" in result.stdout
    assert "touchpoints (read 4 times)" in result.stdout


def test_semantic_layer_defines_the_metrics_once(parsed):
    semantic = json.loads((parsed / "semantic_manifest.json").read_text())
    metrics = {metric["name"]: metric for metric in semantic["metrics"]}
    for name in ("nps", "csat", "churn_rate", "paying_customers", "at_risk_customer_share", "revenue",
                 "average_order_value"):
        assert name in metrics, sorted(metrics)
    assert len(semantic["metrics"]) == len(metrics), "a metric is defined twice"
    nps = metrics["nps"]["type_params"]
    assert nps["expr"] == "(nps_promoters - nps_detractors) * 100.0 / nullif(nps_responses, 0)"
    assert {m["name"] for m in nps["metrics"]} == {"nps_promoters", "nps_detractors", "nps_responses"}
    assert metrics["churn_rate"]["type"] == "ratio"
    assert metrics["churn_rate"]["type_params"]["numerator"]["name"] == "churned"
    assert metrics["churn_rate"]["type_params"]["denominator"]["name"] == "active_at_start"
    models = {model["name"]: model for model in semantic["semantic_models"]}
    measures = {measure["name"]: measure for model in models.values() for measure in model["measures"]}
    # the measures follow the marts' own definitions (fct_survey_responses' categories)
    assert "nps_category = 'promoter'" in measures["nps_promoters"]["expr"]
    assert "nps_category = 'detractor'" in measures["nps_detractors"]["expr"]
    assert "is_csat_satisfied" in measures["csat_satisfied"]["expr"]
    assert "is_completed" in measures["revenue"]["expr"]
    bands = [d for d in models["customers"]["dimensions"] if d["name"] == "health_band"]
    assert bands, "the health distribution needs the health band as a dimension"
    spines = semantic["project_configuration"]["time_spines"]
    assert [spine["node_relation"]["alias"] for spine in spines] == ["metricflow_time_spine"]


def test_metric_descriptions_come_from_the_doc_blocks(parsed):
    manifest = json.loads((parsed / "manifest.json").read_text())
    docs = {doc["name"]: doc["block_contents"].strip() for doc in manifest["docs"].values()
            if doc["package_name"] == "c360"}
    assert {"nps", "csat", "health_score", "health_band", "distress_index", "lifecycle_stage",
            "churn_rate", "consent", "erasure"} <= set(docs)
    metric = manifest["metrics"]["metric.c360.nps"]
    assert metric["description"].strip() == docs["nps"]
    column = manifest["nodes"]["model.c360.customer_360"]["columns"]["distress_index"]
    assert docs["distress_index"] in column["description"]
