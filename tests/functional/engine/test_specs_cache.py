"""Events load the execution row without its stored spec; specs come from the checksum
cache (``mistral.lang.cache``) and are never rebuilt per event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from mistral.lang import cache
from tests.functional.engine.harness import CTX, Harness

CHAIN = """
version: '2.0'
chain:
  tasks:
    t1:
      action: std.echo output=1
      on-success: [t2]
    t2:
      action: std.echo output=2
      publish: {name: <% execution().spec.name %>, me: <% execution().id %>}
      on-success: [t3]
    t3:
      action: std.noop
"""


def _statements(h: Harness) -> list[str]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(h.db.engine, "before_cursor_execute", before)
    return seen


def test_events_lock_the_row_without_the_spec(h: Harness) -> None:
    h.define(CHAIN)
    h.run("chain")  # warm the cache
    seen = _statements(h)
    wf_id = h.start("chain")
    h.run_until_idle()
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")
             and "FROM workflow_executions_v2" in s]
    assert len(reads) >= 3  # one lock per event
    assert not [s for s in reads if "workflow_executions_v2.spec" in s]
    wf = h.execution(wf_id)
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"]["name"] == "chain" and wf["output"]["me"] == wf["id"]


def test_a_second_execution_rebuilds_no_spec(h: Harness) -> None:
    h.define(CHAIN)
    h.run("chain")
    misses = cache.workflow_cache().misses
    assert h.run("chain")["state"] == "SUCCESS"
    assert cache.workflow_cache().misses == misses


def test_a_cache_miss_reads_the_executions_own_spec(h: Harness) -> None:
    """The definition changes (and its cached spec is gone) mid-run: the execution
    finishes with the spec it started with."""
    h.define(CHAIN)
    h.executor.hold = True
    wf_id = h.start("chain")
    with h.db.transaction(CTX) as tx:
        row = tx.workflow_definitions.find(name="chain")
        tx.workflow_definitions.update(row.id, {"spec": {"broken": True}, "checksum": "new"})
    cache.workflow_cache().clear()
    h.executor.hold = False
    h.run_until_idle()
    wf = h.execution(wf_id)
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert [t["name"] for t in h.tasks(wf_id)] == ["t1", "t2", "t3"]
