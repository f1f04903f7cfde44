"""An executor's heartbeats record who runs an action (``executor_host``)."""

from __future__ import annotations

from typing import Any

from tests.functional.engine.harness import CTX, Harness

ONE = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=done
"""


def test_heartbeat_stores_the_executor_host_and_acknowledges(sqlite_database: Any) -> None:
    h = Harness(sqlite_database)
    h.define(ONE)
    wf_id = h.start("wf")
    _, req = h.executor.queue.popleft()
    h.engine.report_running_actions(CTX, [req.action_ex_id, req.action_ex_id], host="node-3")
    with sqlite_database.transaction(None, readonly=True) as tx:
        row = tx.action_executions.get(req.action_ex_id)
        assert (row.executor_host, row.accepted) == ("node-3", True)
    h.engine.report_running_actions(CTX, [req.action_ex_id])  # no host: the name stays
    with sqlite_database.transaction(None, readonly=True) as tx:
        assert tx.action_executions.get(req.action_ex_id).executor_host == "node-3"
    assert h.execution(wf_id)["state"] == "RUNNING"


def test_an_engine_behind_on_heartbeats_does_not_judge_an_executor_dead(sqlite_database: Any) -> None:
    h = Harness(sqlite_database)
    h.define(ONE)
    wf_id = h.start("wf")
    _, req = h.executor.queue.popleft()
    h.engine.report_running_actions(CTX, [req.action_ex_id], host="node-3")
    h.clock.advance(16)                      # past max_missed_heartbeats * check_interval
    h.engine.heartbeat_backlog = lambda: 20.0  # ... but 20 s of heartbeats wait unapplied
    assert h.engine.heartbeat_lag() == 20.0
    assert h.engine.reconcile() == 0
    assert h.execution(wf_id)["state"] == "RUNNING"
    h.engine.heartbeat_backlog = lambda: 0.0   # caught up, and still nothing: dead
    assert h.engine.reconcile() >= 1
    assert h.execution(wf_id)["state"] == "ERROR"
    assert "no heartbeat" in h.task(wf_id, "t")["state_info"]


def test_a_heartbeat_probe_that_fails_counts_as_no_lag(sqlite_database: Any) -> None:
    h = Harness(sqlite_database)

    def broken() -> float:
        raise RuntimeError("probe")

    h.engine.heartbeat_backlog = broken
    assert h.engine.heartbeat_lag() == 0.0
