"""Shared fixtures: one small generated dataset and one DuckDB build per test session.

`make test` runs the suite on several processes (pytest-xdist, `-n`): the
dataset and the DuckDB build are then made once, by the first worker that
needs them, and shared; each worker reads its own copy of the warehouse.
Every test folder runs on one worker, so a folder's module and session
fixtures are made once; tests/engines is split in two, its Spark tests and
its PostgreSQL tests, which start first, side by side, as the longest units.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]

#: The xdist worker this process is ("gw0", "gw1" ...), or None without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    # dbt's artefacts (manifest, run results, partial parse) and logs, one
    # folder per worker so that parallel builds do not overwrite each other's
    os.environ.setdefault("DBT_TARGET_PATH", str(PROJECT_DIR / "target" / WORKER))
    os.environ.setdefault("DBT_LOG_PATH", str(PROJECT_DIR / "logs" / WORKER))

#: The privacy policy's masking key for every build of the session (one key,
#: so hashed values agree between engines and builds).
TEST_MASKING_KEY = "c360-test-masking-key"
os.environ.setdefault("C360_MASKING_SALT", TEST_MASKING_KEY)

#: Size of the dataset the warehouse tests build (small enough for CI, large
#: enough that every planted defect and every channel occurs).
TEST_CUSTOMERS = int(os.environ.get("C360_TEST_CUSTOMERS", "1500"))
TEST_SEED = 7


#: The folder whose tests are split by engine (each engine's server or
#: session is made once, on one worker).
ENGINES_FOLDER = "tests/engines"


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to under xdist: its folder, except that
    tests/engines is split into its Spark tests and its PostgreSQL tests, the
    two longest units, so that they run side by side on different workers."""
    folder = nodeid.split("::", 1)[0].rpartition("/")[0]
    if folder != ENGINES_FOLDER:
        return folder
    params = re.split(r"[\[\]-]", nodeid.partition("[")[2])
    return f"{folder}[{'spark' if 'spark' in params else 'postgres'}]"


def pytest_collection_modifyitems(config, items):
    """Spark's tests first, then PostgreSQL's, then the rest in their order:
    xdist hands the first units to the workers first, so the longest ones
    start at once (a stable sort keeps each module's own order)."""
    first = {f"{ENGINES_FOLDER}[spark]": 0, f"{ENGINES_FOLDER}[postgres]": 1}
    items.sort(key=lambda item: first.get(work_unit(item.nodeid), 2))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist, send each unit of work (a test folder, or one
    engine's tests) to one worker as a whole, in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    # keep the collection order (longest units first) rather than xdist's
    # order by number of tests
    config.option.loadscopereorder = False
    return FolderScheduling(config, log)


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` filled by ``make``, made once per session even
    when xdist workers ask for it at the same time (the first one makes it
    under a file lock, the others wait and reuse it)."""
    if not WORKER:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    from filelock import FileLock

    # the workers' base folders share this parent, which is new for each run
    shared = tmp_path_factory.getbasetemp().parent / name
    with FileLock(str(shared) + ".lock"):
        done = shared / ".made"
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            make(shared)
            done.touch()
    return shared


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """A generated dataset: raw/ and truth/ under the returned folder (read only)."""
    from c360.generate import generate_dataset

    def make(out: Path) -> None:
        generate_dataset(customers=TEST_CUSTOMERS, seed=TEST_SEED, out=out, progress=False)

    return made_once(tmp_path_factory, "dataset", make)


@pytest.fixture(scope="session")
def warehouse(dataset, tmp_path_factory) -> Path:
    """The dataset built with `dbt build` (every model and data test) into
    DuckDB; this worker's own copy of it."""
    from c360.dbt import run_dbt
    from c360.project import Project

    def make(folder: Path) -> None:
        project = Project.resolve(warehouse=folder / "c360.duckdb", raw_path=dataset / "raw", target="duckdb")
        run_dbt(project, "build")

    built = made_once(tmp_path_factory, "warehouse", make) / "c360.duckdb"
    if not WORKER:
        return built
    path = tmp_path_factory.mktemp("warehouse") / "c360.duckdb"
    shutil.copyfile(built, path)
    return path


@pytest.fixture()
def duckdb_connect():
    import duckdb

    connections = []

    def connect(path: Path):
        connection = duckdb.connect(str(path), read_only=True)
        connections.append(connection)
        return connection

    yield connect
    for connection in connections:
        connection.close()
