"""Fixtures of the reliability tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import Holder, content_hashes

from engines.conftest import postgres_env  # noqa: F401 - the throwaway PostgreSQL server, a fixture here too


@pytest.fixture(scope="session")
def warehouse_hashes(warehouse) -> dict:
    """Content hashes of the session's clean build."""
    return content_hashes(warehouse)


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
