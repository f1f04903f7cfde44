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
