"""Fixtures of the reliability tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reliability_helpers import Holder, content_hashes

from engines.conftest import postgres_env  # noqa: F401 - the throwaway PostgreSQL server, a fixture here too


@pytest.fixture(scope="session")
def finished_warehouse(warehouse, dataset, tmp_path_factory) -> Path:
    """The session's build, built again the way `c360 build` ends a build:
    the session's build registered the dataset's erasure requests at its
    end, this one leaves their rows out. A re-run must change nothing from
    here."""
    from c360.dbt import run_dbt
    from c360.project import Project

    path = tmp_path_factory.mktemp("finished") / "c360.duckdb"
    shutil.copyfile(warehouse, path)
    run_dbt(Project.resolve(warehouse=path, raw_path=dataset / "raw", target="duckdb"), "build",
            finish_erasures=True)
    return path


@pytest.fixture(scope="session")
def warehouse_hashes(finished_warehouse) -> dict:
    """Content hashes of the finished build (finished_warehouse)."""
    return content_hashes(finished_warehouse)


@pytest.fixture()
def hold_open():
    """hold_open(path, read_only=True) -> Holder; every holder ends after the test."""
    holders = []

    def start(path: Path, read_only: bool = True) -> Holder:
        holders.append(Holder(path, read_only))
        return holders[-1]

    yield start
    for holder in holders:
        holder.close()
