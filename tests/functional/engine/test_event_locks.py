"""Events change rows only under the right execution lock (real PostgreSQL row locks).

A second transaction holds a lock the way a concurrent event would; the event under
test must wait for it (seen in ``pg_stat_activity``) and then see what the other one committed.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from tests.functional.engine.harness import CTX, Harness
from tests.functional.engine.test_recovery_links import NESTED


@pytest.fixture
def pg(_schema_databases: Any) -> Any:
    from tests.conftest import _clean

    db = _schema_databases.get("postgresql")
    yield db
    _clean(db)


def _waiting_for_a_lock(db: Any) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar())


def _run_blocked(db: Any, hold: Callable[[Any], None], event: Callable[[], None]) -> bool:
    """Hold a lock in one transaction, start ``event`` in a thread; returns whether the
    event waited for the lock (it is released and the event finished before returning)."""
    release = threading.Event()
    held = threading.Event()
    errors: list[BaseException] = []

    def holder() -> None:
        with db.transaction(CTX) as tx:
            hold(tx)
            tx.flush()
            held.set()
            release.wait(30)

    def run() -> None:
        try:
            event()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    t1 = threading.Thread(target=holder)
    t1.start()
    assert held.wait(30)
    t2 = threading.Thread(target=run)
    t2.start()
    deadline = time.monotonic() + 30
    while t2.is_alive() and not _waiting_for_a_lock(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = t2.is_alive()
    release.set()
    t1.join(30)
    t2.join(30)
    assert not errors, errors
    return waited


def test_child_finished_locks_the_child_before_rewriting_its_runtime_context(pg: Any) -> None:
    h = Harness(pg)
    h.define(NESTED)
    h.engine.services.on_child_finished = lambda ctx, child_id: None  # delivered by hand
    wf_id = h.start("parent")
    h.run_until_idle()
    [child] = h.children(h.task(wf_id, "call")["id"])
    assert child["state"] == "SUCCESS" and h.execution(wf_id)["state"] == "RUNNING"

    def concurrent_child_event(tx: Any) -> None:
        row = tx.workflow_executions.lock(child["id"])
        row.runtime_context = {**(row.runtime_context or {}), "meanwhile": True}

    waited = _run_blocked(pg, concurrent_child_event,
                          lambda: h.engine.on_subworkflow_finished(CTX, child["id"]))
    assert waited
    rc = h.execution(child["id"])["runtime_context"]
    assert rc.get("meanwhile") is True, "the child's own change was overwritten"
    assert rc.get("reported") is True
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_on_action_update_waits_for_the_execution_lock(pg: Any) -> None:
    h = Harness(pg)
    h.define(NESTED)
    h.executor.hold = True
    wf_id = h.start("parent")
    [child] = h.children(h.task(wf_id, "call")["id"])
    [(_, req)] = list(h.executor.queue)

    def concurrent_event(tx: Any) -> None:
        tx.workflow_executions.lock(child["id"])

    waited = _run_blocked(pg, concurrent_event,
                          lambda: h.engine.on_action_update(CTX, req.action_ex_id, "PAUSED"))
    assert waited, "the action changed without its execution's lock"
    with pg.transaction(CTX, readonly=True) as tx:
        assert tx.action_executions.get(req.action_ex_id).state == "PAUSED"
