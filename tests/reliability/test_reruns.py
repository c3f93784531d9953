"""Re-runs and faults of `c360 build` on DuckDB.

Both tests start from a copy of the session's clean build and compare the
content hash of every relation in every schema with it: a second build on
the same input changes nothing, and a build killed halfway (SIGKILL) leaves
the published file untouched and the next build ends where a clean one does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess

import pytest
from reliability_helpers import c360_command, content_hashes, differences

from c360.dbt import run_dbt
from c360.project import Project

pytestmark = pytest.mark.dbt

#: a dbt progress line of a finished node ("57 of 573 OK created sql table model ...")
PROGRESS = re.compile(r"\b(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")


def file_digest(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_a_second_build_on_the_same_input_changes_no_table(finished_warehouse, warehouse_hashes, dataset, tmp_path):
    path = tmp_path / "c360.duckdb"
    shutil.copyfile(finished_warehouse, path)
    run_dbt(Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb"), "build")
    assert differences(content_hashes(path), warehouse_hashes) == []


def test_a_build_killed_halfway_changes_nothing_and_the_next_build_recovers(finished_warehouse, warehouse_hashes,
                                                                            dataset, tmp_path):
    published = tmp_path / "c360.duckdb"
    shutil.copyfile(finished_warehouse, published)
    before = file_digest(published)
    process = subprocess.Popen(
        c360_command("build", "--warehouse", str(published), "--raw-path", str(dataset / "raw"),
                     "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    done = total = 0
    try:
        for line in process.stdout:
            found = PROGRESS.search(line)
            if found and " hook" not in line:
                done, total = int(found.group(1)), int(found.group(2))
                if done >= total // 2:
                    process.send_signal(signal.SIGKILL)
                    break
    finally:
        if process.poll() is None and not done:
            process.kill()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the build ended before it was killed"
    assert 0 < done < total
    # the published warehouse is untouched; the killed build's copy is left behind
    assert file_digest(published) == before
    candidate = published.with_name(published.name + ".building")
    assert candidate.exists()
    run_dbt(Project.resolve(warehouse=published, raw_path=dataset / "raw", target="duckdb"), "build")
    assert not candidate.exists()
    assert differences(content_hashes(published), warehouse_hashes) == []
