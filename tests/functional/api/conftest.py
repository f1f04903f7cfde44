"""Fixtures for the REST API tests (see ``client.py``).

The API runs over the real ``DefaultEngine`` driven by the engine tests' harness: a
synchronous executor running the real std actions and an in-memory scheduler, pumped
until idle — no sleeping, no polling.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.api.client import ApiClient, build_client
from tests.functional.engine.harness import Harness


@pytest.fixture
def harness(sqlite_database: Any) -> Harness:
    return Harness(sqlite_database)


@pytest.fixture
def api(sqlite_database: Any, harness: Harness) -> Iterator[ApiClient]:
    yield build_client(sqlite_database, engine=harness.engine)


@pytest.fixture
def harness_all_db(database: Any) -> Harness:
    return Harness(database)


@pytest.fixture
def api_all_db(database: Any, harness_all_db: Harness) -> Iterator[ApiClient]:
    """The same API over SQLite, PostgreSQL and MariaDB."""
    yield build_client(database, engine=harness_all_db.engine)
