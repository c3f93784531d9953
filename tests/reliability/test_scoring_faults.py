"""Re-runs and faults of `c360 score` on DuckDB, on a copy of the session's
build scored once (with two training dates instead of eight, to keep it
cheap): scoring the same as-of date again gives the same tables, and a
write-back killed in the middle of its transaction leaves the previous scores
readable and intact.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest
from reliability_helpers import content_hashes, differences

from c360.project import Project
from c360.scoring.config import ScoringConfig
from c360.scoring.run import score

pytestmark = pytest.mark.dbt

#: the columns that record when a run happened
RUN_TIMES = ("scored_at", "trained_at")

#: Replaces the scores of the latest as-of date with other values through the
#: write-back of `c360 score`, and stops for good after the second table of the
#: transaction is written (churn scores replaced, the rest not yet).
KILLED_WRITER = """
import sys, time
import duckdb
from c360.project import Project
from c360.scoring import store

project = Project.resolve(warehouse=sys.argv[1], target="duckdb")
with duckdb.connect(sys.argv[1], read_only=True) as connection:
    as_of = connection.execute("select max(as_of_date) from main_scores.churn_scores").fetchone()[0]
    frames = {table: connection.execute(f"select * from main_scores.{table}").fetchdf() for table in store.TABLES}
frames["churn_scores"]["churn_probability"] = 1 - frames["churn_scores"]["churn_probability"]
frames["upsell_recommendations"]["propensity"] = 0.0
frames["model_runs"]["message"] = "a run that never finished"
written = []
insert = store._DuckDBConnection.insert

def insert_then_stop(self, relation, columns, frame):
    insert(self, relation, columns, frame)
    written.append(relation)
    if len(written) == 2:
        print("writing", relation, flush=True)
        time.sleep(600)

store._DuckDBConnection.insert = insert_then_stop
store.replace_as_of(project, as_of, frames)
"""


@pytest.fixture(scope="module")
def scored(warehouse, dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("scored") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    config = ScoringConfig.load(project.project_dir, {"training_dates": 2})
    result = score(project, config=config, log=lambda message: None)
    assert result.published == ["churn", "upsell"]
    return project, config, result


def test_scoring_the_same_as_of_date_twice_gives_the_same_tables(scored):
    project, config, result = scored
    first = content_hashes(project.warehouse, RUN_TIMES)
    again = score(project, result.as_of, config=config, log=lambda message: None)
    assert again.churn_run["model_version"] == result.churn_run["model_version"]
    assert differences(content_hashes(project.warehouse, RUN_TIMES), first) == []


def test_a_scoring_write_killed_midway_leaves_the_previous_scores(scored):
    project, _, _ = scored
    path = project.warehouse
    before = content_hashes(path)
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("writing"), process.stderr.read()
    finally:
        process.kill()
        process.wait(timeout=60)
    # the file opens for writing again (its log replayed) and holds the scores as before
    with duckdb.connect(str(path)) as connection:
        assert connection.execute("select count(*) from main_scores.churn_scores").fetchone()[0] > 0
        connection.execute("checkpoint")
    assert differences(content_hashes(path), before) == []
