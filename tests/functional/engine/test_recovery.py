"""Recovery: lost sends, dead executors (heartbeats), lost events — repaired, never stuck."""

from __future__ import annotations

import datetime

from tests.functional.engine.harness import CTX, Harness

ONE = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=done
      retry: {count: 1}
"""


def _lose_all_messages(h: Harness) -> int:
    n = len(h.executor.queue)
    h.executor.queue.clear()
    return n


def test_unacknowledged_action_waits_resent_with_backoff_never_failed(h: Harness) -> None:
    """Queued work waits (DESIGN rule 12): nobody took it, so it is sent again, later
    each time, and it is never failed for that."""
    h.define(ONE)
    wf_id = h.start("wf")
    assert _lose_all_messages(h) == 1   # crash between commit and send
    h.clock.advance(11)
    assert h.engine.reconcile() >= 1
    assert len(h.executor.queue) == 1   # re-sent, same action execution
    for wait in (21, 41, 81, 81):        # backoff: 2x, 4x, 8x the first-heartbeat timeout
        _lose_all_messages(h)
        h.clock.advance(wait - 2)
        h.engine.reconcile()
        assert not h.executor.queue, "re-sent before its backoff"
        h.clock.advance(2)
        h.engine.reconcile()
        assert len(h.executor.queue) == 1
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    actions = h.actions(h.task(wf_id, "t")["id"])
    assert [a["state"] for a in actions] == ["SUCCESS"]


def test_unacknowledged_action_is_failed_by_the_tasks_own_timeout(h: Harness) -> None:
    h.define(ONE.replace("      retry: {count: 1}\n", "      timeout: 100\n"))
    wf_id = h.start("wf")
    for _ in range(8):
        _lose_all_messages(h)
        h.clock.advance(15)
        h.engine.reconcile()
        h.scheduler.pump()
    assert h.execution(wf_id)["state"] == "ERROR"
    assert "timed out" in h.task(wf_id, "t")["state_info"]


def test_missing_heartbeat_fails_action(h: Harness) -> None:
    h.define(ONE.replace("      retry: {count: 1}\n", ""))
    wf_id = h.start("wf")
    ctx, req = h.executor.queue.popleft()          # the executor took it ...
    h.engine.report_running_actions(CTX, [req.action_ex_id])
    h.clock.advance(5)
    h.engine.report_running_actions(CTX, [req.action_ex_id])
    h.clock.advance(5)
    assert h.engine.reconcile() == 0               # within max_missed_heartbeats * interval
    h.clock.advance(6)                             # ... and died
    assert h.engine.reconcile() >= 1
    wf = h.execution(wf_id)
    assert wf["state"] == "ERROR"
    assert "no heartbeat" in h.task(wf_id, "t")["state_info"]


def test_missing_heartbeat_with_safe_rerun_resends(h: Harness) -> None:
    h.define(ONE.replace("      retry: {count: 1}\n", "      safe-rerun: true\n"))
    wf_id = h.start("wf")
    ctx, req = h.executor.queue.popleft()
    h.engine.report_running_actions(CTX, [req.action_ex_id])
    h.clock.advance(20)
    h.engine.reconcile()
    assert [r.action_ex_id for _, r in h.executor.queue] == [req.action_ex_id]
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_lost_result_event_is_replayed_for_stuck_task(h: Harness) -> None:
    """The action finished but its result never reached the task (an event lost)."""
    h.define(ONE)
    wf_id = h.start("wf")
    _lose_all_messages(h)
    task = h.task(wf_id, "t")
    [action] = h.actions(task["id"])
    with h.db.transaction(CTX) as tx:   # simulate: result stored, task update lost
        tx.action_executions.update(action["id"], {"state": "SUCCESS",
                                                   "output": {"result": "done"}})
    h.clock.advance(30)
    with h.db.transaction(CTX) as tx:
        tx.task_executions.update(task["id"], {"updated_at": h.clock.now() - datetime.timedelta(hours=1)})
    h.engine.reconcile()
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "SUCCESS"
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_lost_child_notification_is_repaired(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    t:
      action: std.noop
""")
    lost: list = []
    h.engine.services.on_child_finished = lambda ctx, child_id: lost.append(child_id)
    wf_id = h.start("parent")
    h.run_until_idle()
    assert lost and h.execution(wf_id)["state"] == "RUNNING"
    h.engine.services.on_child_finished = h.engine.on_subworkflow_finished
    task = h.task(wf_id, "call")
    with h.db.transaction(CTX) as tx:
        tx.task_executions.update(task["id"], {"updated_at": h.clock.now() - datetime.timedelta(hours=1)})
    h.engine.reconcile()
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_reconcile_of_healthy_executions_changes_nothing(h: Harness) -> None:
    h.define(ONE)
    wf = h.run("wf")
    h.clock.advance(3600)
    h.engine.reconcile()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    assert len(h.actions(h.task(wf["id"], "t")["id"])) == 1


def test_reconciler_thread_starts_and_stops(h: Harness) -> None:
    h.engine.start()
    h.engine.start()  # idempotent
    h.engine.stop(timeout=5)
    assert h.engine._thread is None
