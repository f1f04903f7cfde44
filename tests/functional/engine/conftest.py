from __future__ import annotations

from typing import Any

import pytest

from tests.functional.engine.harness import Harness


@pytest.fixture
def h(sqlite_database: Any) -> Harness:
    return Harness(sqlite_database)
