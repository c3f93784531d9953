"""Fixtures of the reliability tests."""

from __future__ import annotations

import pytest
from engines.conftest import postgres_env  # noqa: F401 - the throwaway PostgreSQL server, a fixture here too
from reliability_helpers import content_hashes


@pytest.fixture(scope="session")
def warehouse_hashes(warehouse) -> dict:
    """Content hashes of the session's clean build."""
    return content_hashes(warehouse)
