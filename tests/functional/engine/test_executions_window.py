"""``executions()`` with a created_at window: both bounds apply, in the database."""

from __future__ import annotations

from typing import Any

from tests.functional.engine.harness import Harness

WF = """---
version: '2.0'
window:
  input: [since, until]
  tasks:
    t:
      action: std.noop
      publish:
        n: "{{ executions(from_time=_.since, to_time=_.until) | length }}"
"""


def _count(h: Harness, since: str, until: str) -> int:
    wf_id = h.start("window", {"since": since, "until": until})
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS", h.execution(wf_id)
    return int(h.task(wf_id, "t")["published"]["n"])


def test_executions_between_two_times(sqlite_database: Any) -> None:
    h = Harness(sqlite_database)
    h.define(WF)
    # The running execution itself is one of them when the window holds now.
    assert _count(h, "2000-01-01 00:00:00", "2100-01-01 00:00:00") >= 1
    assert _count(h, "2000-01-01 00:00:00", "2000-01-02 00:00:00") == 0
    assert _count(h, "2099-01-01 00:00:00", "2100-01-01 00:00:00") == 0
    assert _count(h, "2000-01-01 00:00:00", "2100-01-01 00:00:00") == 4
