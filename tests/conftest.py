"""Shared fixtures: one small generated dataset and one DuckDB build per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]

#: The privacy policy's masking key for every build of the session (one key,
#: so hashed values agree between engines and builds).
TEST_MASKING_KEY = "c360-test-masking-key"
os.environ.setdefault("C360_MASKING_SALT", TEST_MASKING_KEY)

#: Size of the dataset the warehouse tests build (small enough for CI, large
#: enough that every planted defect and every channel occurs).
TEST_CUSTOMERS = int(os.environ.get("C360_TEST_CUSTOMERS", "1500"))
TEST_SEED = 7


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """A generated dataset: raw/ and truth/ under the returned folder."""
    from c360.generate import generate_dataset

    out = tmp_path_factory.mktemp("dataset")
    generate_dataset(customers=TEST_CUSTOMERS, seed=TEST_SEED, out=out, progress=False)
    return out


@pytest.fixture(scope="session")
def warehouse(dataset, tmp_path_factory) -> Path:
    """The dataset built with `dbt build` (every model and data test) into DuckDB."""
    from c360.dbt import run_dbt
    from c360.project import Project

    path = tmp_path_factory.mktemp("warehouse") / "c360.duckdb"
    project = Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb")
    run_dbt(project, "build")
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
