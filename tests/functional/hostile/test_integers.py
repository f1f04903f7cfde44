"""Integer fields of request bodies fit the 32-bit integer columns of every backend: a
larger value is a 400 naming the field (SQLite said "Python int too large to convert to
SQLite INTEGER" as a 500; PostgreSQL and MySQL overflow their INTEGER columns)."""

from __future__ import annotations

import pytest

from tests.functional.api.client import ApiClient

WF = "version: '2.0'\ncron_wf:\n  tasks:\n    t:\n      action: std.noop\n"


@pytest.mark.parametrize("count", [2 ** 31, 10 ** 30, -(10 ** 30), int("9" * 4000)])
def test_huge_remaining_executions_is_a_400(api: ApiClient, count: int) -> None:
    api.post("/v2/workflows", WF)
    r = api.post("/v2/cron_triggers", {"name": "c", "workflow_name": "cron_wf",
                                       "pattern": "* * * * *", "remaining_executions": count})
    assert r.status_code == 400, r.text[:300]
    assert "remaining_executions" in r.fault and len(r.fault) < 200
    assert api.get("/v2/cron_triggers").json["cron_triggers"] == []


def test_largest_remaining_executions_is_accepted(api: ApiClient) -> None:
    api.post("/v2/workflows", WF)
    r = api.post("/v2/cron_triggers", {"name": "c", "workflow_name": "cron_wf",
                                       "pattern": "* * * * *",
                                       "remaining_executions": 2 ** 31 - 1})
    assert r.status_code == 201, r.text[:300]
