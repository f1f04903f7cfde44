"""Fixtures of the hostile-client tests: the in-process API and engine harness."""

from __future__ import annotations

from tests.functional.api.conftest import api, harness  # noqa: F401
