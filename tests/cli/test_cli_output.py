"""Output conventions of the command line: results on stdout, progress on
stderr (none with --quiet), --json where a program reads the result, exit
codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from c360.cli import cli


def run_c360(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from c360.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_generate_reports_progress_on_stderr_and_json_on_stdout(tmp_path):
    shown = run_c360("generate", "--customers", "30", "--seed", "3", "--out", str(tmp_path / "a"))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("wrote ") and len(shown.stdout.splitlines()) == 1
    assert "chunks" in shown.stderr  # the progress display
    quiet = run_c360("generate", "--customers", "30", "--seed", "3", "--out", str(tmp_path / "b"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.startswith("wrote ")
    as_json = run_c360("generate", "--customers", "30", "--seed", "3", "--out", str(tmp_path / "c"), "--json")
    assert as_json.returncode == 0 and as_json.stderr == ""
    result = json.loads(as_json.stdout)
    assert result["raw_rows"] == sum(rows for name, rows in result["files"].items() if not name.startswith("truth"))
    assert result["out"] == str((tmp_path / "c").resolve())


def test_build_passes_quiet_to_dbt_and_exports_for_bi_unless_told_not_to(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr("c360.cli.run_dbt", lambda project, command, args, **options: calls.append((args, options)))
    warehouse = str(tmp_path / "w.duckdb")
    assert CliRunner().invoke(cli, ["build", "--warehouse", warehouse, "--quiet", "--select", "staging"]).exit_code == 0
    assert CliRunner().invoke(cli, ["build", "--warehouse", warehouse, "--no-bi-export"]).exit_code == 0
    (quiet_args, quiet_options), (plain_args, plain_options) = calls
    assert quiet_args == ("--quiet", "--select", "staging") and quiet_options["bi_export"] is True
    quiet_options["log"]("nothing to see")  # --quiet: the progress log prints nothing
    assert plain_args == () and plain_options["bi_export"] is False


def test_exit_codes(tmp_path):
    missing = str(tmp_path / "none.duckdb")
    for command in (["summary"], ["report", "--out", str(tmp_path / "r.html")], ["profile", "someone@example.com"]):
        result = run_c360(*command, "--warehouse", missing)
        assert result.returncode == 1, command
        assert result.stderr.startswith("error: no warehouse at") and result.stdout == ""
        assert "run `c360 build` or `make demo` first" in result.stderr
    usage = run_c360("summary", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert run_c360("--version").returncode == 0


@pytest.mark.parametrize("command", ["profile", "report"])
def test_new_commands_have_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "--json" in result.output


def test_summary_json_counts_every_relation(warehouse, dataset):
    import duckdb
    import pyarrow.parquet as pq

    result = CliRunner().invoke(cli, ["summary", "--warehouse", str(warehouse), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    summary = json.loads(result.output)
    relations = {(item["schema"], item["name"]): item["rows"] for item in summary["relations"]}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("select count(*) from main_marts.customer_360").fetchone()[0]
    assert relations[("main_marts", "customer_360")] == rows
    assert summary["source_tables"]
    for table in summary["source_tables"]:
        path = dataset / "raw" / table["source_name"] / f"{table['table_name']}.parquet"
        assert table["raw"] == pq.read_metadata(path).num_rows, path
        assert table["staged"] > 0 and table["erased"] >= 0
