"""Fixtures for the REST API tests (see ``client.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.api.client import ApiClient, build_client


@pytest.fixture
def api(sqlite_database: Any) -> Iterator[ApiClient]:
    yield build_client(sqlite_database)


@pytest.fixture
def api_all_db(database: Any) -> Iterator[ApiClient]:
    """The same API over SQLite, PostgreSQL and MariaDB."""
    yield build_client(database)
