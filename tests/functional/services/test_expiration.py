"""``[execution_expiration_policy]``: finished root executions deleted on the durable scheduler.

Real databases (the ``database`` fixture on SQLite and PostgreSQL: the queries are
plain filtered lists, MariaDB adds nothing but time); the policy measures age against a
clock the test moves, and the scheduler runs the jobs.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from mistral.context import RequestContext, admin_context
from mistral.scheduler import Scheduler
from mistral.services.expiration import HANDLER, ExecutionExpiration, ExpirationPolicy

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)
pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
CTX = RequestContext(project_id="p1", user_id="u1")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime.datetime:
        return self.now


def _tree(db: Any, name: str, state: str, finished_min: int, child_state: str = "SUCCESS") -> dict:
    """A root execution (finished ``finished_min`` minutes after T0) with a task, an
    action execution and a subworkflow that has its own task and action."""
    at = T0 + datetime.timedelta(minutes=finished_min)
    with db.transaction(CTX) as tx:
        root = tx.workflow_executions.create({"name": name, "workflow_name": "wf", "state": state,
                                              "updated_at": at})
        task = tx.task_executions.create({"name": "t", "workflow_execution_id": root.id,
                                          "state": state, "updated_at": at})
        action = tx.action_executions.create({"name": "std.noop", "task_execution_id": task.id,
                                              "workflow_execution_id": root.id, "state": "SUCCESS"})
        child = tx.workflow_executions.create({
            "name": name + "-sub", "workflow_name": "sub", "state": child_state, "updated_at": at,
            "task_execution_id": task.id, "root_execution_id": root.id})
        ctask = tx.task_executions.create({"name": "ct", "workflow_execution_id": child.id,
                                           "state": child_state, "updated_at": at})
        caction = tx.action_executions.create({"name": "std.noop", "task_execution_id": ctask.id,
                                               "workflow_execution_id": child.id, "state": "SUCCESS"})
    return {"workflow_executions": [root.id, child.id], "task_executions": [task.id, ctask.id],
            "action_executions": [action.id, caction.id]}


def _exists(db: Any, tree: dict) -> bool:
    with db.transaction(admin_context(), readonly=True) as tx:
        found = [getattr(tx, table).count(id=i) for table, ids in tree.items() for i in ids]
    assert len(set(found)) == 1, f"a tree partly deleted: {tree} {found}"
    return bool(found[0])


def _service(db: Any, clock: Clock, **policy: Any) -> tuple[Scheduler, ExecutionExpiration]:
    scheduler = Scheduler(db, fixed_delay=0.05)
    return scheduler, ExecutionExpiration(
        db, scheduler, ExpirationPolicy(evaluation_interval=10, **policy), clock=clock)


def _run_due(db: Any, scheduler: Scheduler) -> int:
    """Make the pending expiration job due now and run it; returns how many ran."""
    from mistral.scheduler.scheduler import utcnow

    with db.transaction(admin_context()) as tx:
        tx.scheduled_jobs.update_where({"run_at": utcnow() - datetime.timedelta(seconds=1)},
                                       handler=HANDLER)
    return scheduler.run_once()


def test_older_than_deletes_finished_roots_with_everything_under_them(database: Any) -> None:
    clock = Clock()
    old = _tree(database, "old", "SUCCESS", 0)
    failed = _tree(database, "failed", "ERROR", 5, child_state="ERROR")
    recent = _tree(database, "recent", "SUCCESS", 50)
    running = _tree(database, "running", "RUNNING", 0)  # its subworkflow finished long ago
    paused = _tree(database, "paused", "PAUSED", 0, child_state="CANCELLED")
    scheduler, expiration = _service(database, clock, older_than=30)
    expiration.start()
    assert _run_due(database, scheduler) == 1  # the clock is at T0: nothing old enough
    assert all(_exists(database, t) for t in (old, failed, recent, running, paused))

    clock.now = T0 + datetime.timedelta(minutes=40)
    assert _run_due(database, scheduler) == 1
    assert not _exists(database, old) and not _exists(database, failed)
    assert _exists(database, recent) and _exists(database, running) and _exists(database, paused)

    clock.now = T0 + datetime.timedelta(days=30)
    _run_due(database, scheduler)
    assert not _exists(database, recent)
    assert _exists(database, running) and _exists(database, paused)
    # the chain goes on: one job, due an evaluation_interval later
    with database.transaction(admin_context(), readonly=True) as tx:
        jobs = [(j.key, j.run_at) for j in tx.scheduled_jobs.list(filters={"handler": HANDLER})]
    assert len(jobs) == 1 and jobs[0][0] == HANDLER


def test_batches_and_max_finished_executions(database: Any) -> None:
    clock = Clock()
    trees = [_tree(database, f"e{i}", "SUCCESS", i) for i in range(7)]
    scheduler, expiration = _service(database, clock, max_finished_executions=2, batch_size=2)
    with database.transaction(admin_context()) as tx:
        assert expiration.delete_batch(tx) == 2  # one batch of two, beyond the newest two
    alive = [_exists(database, t) for t in trees]
    assert alive[5:] == [True, True] and alive[:5].count(False) == 2
    expiration.start()
    runs = 0
    while _run_due(database, scheduler) and runs < 10:
        runs += 1
        if [_exists(database, t) for t in trees] == [False] * 5 + [True] * 2:
            break
    # full batches rescheduled at once: 3 more to delete in batches of 2 is two runs
    assert runs == 2
    assert [_exists(database, t) for t in trees] == [False] * 5 + [True] * 2


def test_ignored_states_are_kept(database: Any) -> None:
    clock = Clock()
    clock.now = T0 + datetime.timedelta(days=1)
    ok = _tree(database, "ok", "SUCCESS", 0)
    failed = _tree(database, "failed", "ERROR", 0)
    cancelled = _tree(database, "cancelled", "CANCELLED", 0)
    _, expiration = _service(database, clock, older_than=1, ignored_states=("ERROR",))
    with database.transaction(admin_context()) as tx:
        assert expiration.delete_batch(tx) == 2
    assert not _exists(database, ok) and not _exists(database, cancelled)
    assert _exists(database, failed)
