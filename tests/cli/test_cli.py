"""The c360 command line: commands, argument handling and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from c360.cli import cli
from c360.dbt import SOURCES, dbt_arguments, disabled_sources
from c360.project import C360Error, Project


def run_c360(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed entry point the way a user does."""
    return subprocess.run(
        [sys.executable, "-c", "from c360.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )


def test_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "build", "erase", "load", "dbt", "demo", "summary", "contract", "resolve", "bench",
                    "score", "enrich"):
        assert command in result.output


@pytest.mark.parametrize("command", ["generate", "build", "erase", "load", "dbt", "demo", "summary", "contract",
                                     "resolve", "enrich"])
def test_each_command_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def dbt_result(pending_erasure_rows: int):
    """dbt's result of a build whose erasure data test warned about ``pending_erasure_rows``."""
    from types import SimpleNamespace

    from c360.dbt import ERASURE_PENDING_TEST

    status = "warn" if pending_erasure_rows else "pass"
    test = SimpleNamespace(node=SimpleNamespace(name=ERASURE_PENDING_TEST), status=status,
                           failures=pending_erasure_rows)
    return SimpleNamespace(result=SimpleNamespace(results=[test]))


@pytest.mark.parametrize(("command", "finish", "pending", "runs"), [
    ("build", True, 441, 2),   # the build registered erasures: once more
    ("build", True, 0, 1),     # nothing new
    ("build", False, 441, 1),  # plain dbt semantics (c360 dbt build, the test fixtures)
    ("run", True, 441, 1),     # only builds are repeated
])
def test_a_build_that_registers_erasures_runs_once_more(monkeypatch, capsys, command, finish, pending, runs):
    from c360 import dbt

    calls = []

    def invoke(args, env):
        calls.append(args)
        return None, dbt_result(pending if len(calls) == 1 else 0)

    monkeypatch.setattr(dbt, "_invoke", invoke)
    between = []
    failure, rebuilt = dbt._invoke_build([command], {}, finish, between=lambda: between.append(1))
    assert (failure, rebuilt, len(calls), len(between)) == (None, runs == 2, runs, runs - 1)
    message = capsys.readouterr().err
    assert ("441 of their rows are still staged; building again" in message) == (runs == 2)


def test_generate_rejects_bad_customer_count_in_one_line():
    result = run_c360("generate", "--customers", "0")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "customers" in result.stderr


def test_unknown_source_is_a_one_line_error():
    result = run_c360("build", "--sources", "crm,telepathy")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "unknown source(s): telepathy" in result.stderr


def test_unknown_target_is_a_one_line_error():
    result = run_c360("build", "--target", "nowhere")
    assert result.returncode == 1
    assert "target 'nowhere' is not in" in result.stderr
    assert "Traceback" not in result.stderr


def test_summary_without_warehouse_explains_what_to_do(tmp_path):
    result = run_c360("summary", "--warehouse", str(tmp_path / "missing.duckdb"))
    assert result.returncode == 1
    assert "run `c360 build` or `make demo` first" in result.stderr


def test_dbt_arguments_add_profile_target_and_raw_path(tmp_path):
    project = Project.resolve(warehouse=tmp_path / "w.duckdb", raw_path=tmp_path / "raw", target="duckdb")
    args = dbt_arguments(project, "build", ["--select", "staging", "--vars", "{c360_future_tolerance_hours: 6}"])
    assert args[:3] == ["build", "--select", "staging"]
    assert args[args.index("--target") + 1] == "duckdb"
    assert args[args.index("--profiles-dir") + 1] == str(project.project_dir)
    passed_vars = yaml.safe_load(args[args.index("--vars") + 1])
    assert passed_vars == {"c360_raw_path": str(tmp_path / "raw"), "c360_future_tolerance_hours": 6}


def test_only_sources_switches_the_others_off():
    assert disabled_sources(["crm", "commerce"]) == [s for s in SOURCES if s not in ("crm", "commerce")]
    assert disabled_sources(None) == []
    with pytest.raises(C360Error):
        disabled_sources(["crm", "nope"])


def test_user_options_win_over_defaults(tmp_path):
    project = Project.resolve(warehouse=tmp_path / "w.duckdb", raw_path=tmp_path / "raw", target="duckdb")
    args = dbt_arguments(project, "build", ["--target", "duckdb", "--vars", "{c360_raw_path: /elsewhere}"])
    assert args.count("--target") == 1
    assert yaml.safe_load(args[args.index("--vars") + 1])["c360_raw_path"] == "/elsewhere"


def test_readme_data_contract_matches_source_declarations(project_dir):
    from c360.contract import readme_is_current

    assert readme_is_current(project_dir), "run `c360 contract --write`"


@pytest.mark.dbt
def test_demo_generates_builds_and_reports(tmp_path):
    warehouse = tmp_path / "demo.duckdb"
    result = run_c360("demo", "--customers", "300", "--seed", "3",
                      "--out", str(tmp_path / "data"), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"warehouse: {warehouse}" in result.stdout
    assert "raw rows: staged + quarantined" in result.stdout
    for layer in ("raw", "staging", "quality"):
        assert f"│ {layer}" in result.stdout
    assert warehouse.exists()
    assert (tmp_path / "data" / "truth" / "malformed_rows.parquet").exists()
    # the free texts were enriched before the final build, which shows them
    assert "(c360 enrich)" in result.stdout
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        enriched, customers = connection.execute(
            "select (select count(*) from main_enrichment.text_sentiment), "
            "count(sentiment_recent) from main_marts.customer_360").fetchone()
    assert enriched > 0 and customers > 0
    # the public marts are exported for BI tools
    assert (tmp_path / "bi" / "demo" / "current" / "customer_360.parquet").is_file()


def test_summary_reconciles_raw_staged_and_quarantined(warehouse):
    from c360.summary import relation_counts, source_table_counts

    items = source_table_counts(warehouse, relation_counts(warehouse))
    assert len(items) == 22
    for item in items:
        assert item.raw == item.staged + item.quarantined, item
