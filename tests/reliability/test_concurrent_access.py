"""Another process holding the DuckDB file open, as a BI tool does.

`c360 build` proceeds beside a reader (it publishes a new file; the reader
keeps its old one until it reconnects) and stops, naming the process, beside
a writer whose changes it would drop, or beside another build of the same
warehouse. `c360 score` writes into the file and stops beside any other
process, naming it and saying what to do. Nothing is changed in either case.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from reliability_helpers import c360_command, content_hashes, differences

from c360.dbt import run_dbt
from c360.project import C360Error, Project

pytestmark = pytest.mark.dbt

COUNT = "select count(*) from main_marts.customer_360"


@pytest.fixture()
def project(finished_warehouse, dataset, tmp_path) -> Project:
    path = tmp_path / "c360.duckdb"
    shutil.copyfile(finished_warehouse, path)
    return Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")


def test_a_build_proceeds_while_a_reader_holds_the_file(project, hold_open, warehouse_hashes):
    reader = hold_open(project.warehouse)
    before = reader.query(COUNT)
    inode = project.warehouse.stat().st_ino
    run_dbt(project, "build", ["--select", "stg_crm__accounts"])
    assert project.warehouse.stat().st_ino != inode, "a new file was published"
    assert reader.query(COUNT) == before, "the reader carries on with the file it opened"
    reader.close()
    assert differences(content_hashes(project.warehouse), warehouse_hashes) == []


def test_a_build_stops_naming_a_process_that_writes_the_file(project, hold_open, warehouse_hashes):
    writer = hold_open(project.warehouse, read_only=False)
    with pytest.raises(C360Error) as raised:
        run_dbt(project, "build", ["--select", "stg_crm__accounts"])
    message = str(raised.value)
    assert f"open for writing in PID {writer.pid} (" in message
    assert "close that connection" in message and "left unchanged" in message
    assert writer.query("select 1") == [[1]]
    writer.close()
    assert differences(content_hashes(project.warehouse), warehouse_hashes) == []


def test_a_second_build_of_the_same_warehouse_stops_at_once(project):
    lock = project.warehouse.with_name(project.warehouse.name + ".lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys\nhandle = open(sys.argv[1], 'a+b')\n"
                               "fcntl.lockf(handle, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.read()",
         str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(C360Error, match=rf"another c360 build \(PID {holder.pid} .*wait for it to finish"):
            run_dbt(project, "build")
    finally:
        holder.kill()
        holder.wait()


def test_score_stops_with_a_clear_message_while_a_reader_holds_the_file(project, hold_open, warehouse_hashes):
    reader = hold_open(project.warehouse)
    result = subprocess.run(c360_command("score", "--warehouse", str(project.warehouse), "--quiet"),
                            capture_output=True, text=True)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"is open in PID {reader.pid} (" in lines[0] and "c360 score needs it to itself" in lines[0]
    assert "Close that connection" in lines[0]
    assert reader.query("select count(*) from main_scores.churn_scores") == [[0]]
    reader.close()
    assert differences(content_hashes(project.warehouse), warehouse_hashes) == []
