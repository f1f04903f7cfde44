"""Recovery of links a lost message breaks: parent → subworkflow, standalone actions,
delayed and waiting tasks whose timer or event is gone (``mistral.engine.repair``)."""

from __future__ import annotations

import datetime
from mistral.engine.interface import ActionResult
from tests.functional.engine.harness import CTX, Harness

NESTED = """
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    t:
      action: std.echo output=ok
"""


def _lose_propagation(h: Harness) -> list:
    lost: list = []
    h.engine.services.propagate = lambda ctx, child_id, op, msg: lost.append((child_id, op))
    return lost


def _restore_propagation(h: Harness) -> None:
    h.engine.services.propagate = h.engine._propagate


def _child_of(h: Harness, wf_id: str) -> dict:
    [child] = h.children(h.task(wf_id, "call")["id"])
    return child


def _due(h: Harness) -> None:
    """Past every execution's next integrity check."""
    h.clock.advance(60)
    with h.db.transaction(CTX) as tx:
        tx.workflow_executions.update_where(
            {"next_check_at": h.clock.now() - datetime.timedelta(seconds=1)})


def test_lost_cancel_reaches_the_subworkflow(h: Harness) -> None:
    h.define(NESTED)
    wf_id = h.start("parent")
    child = _child_of(h, wf_id)
    lost = _lose_propagation(h)
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED")
    assert lost == [(child["id"], "cancel")]
    assert h.execution(child["id"])["state"] == "RUNNING"
    _restore_propagation(h)
    _due(h)
    assert h.engine.reconcile() >= 1
    assert h.execution(child["id"])["state"] == "CANCELLED"
    assert h.execution(wf_id)["state"] == "CANCELLED"
    h.run_until_idle()  # the child's action result comes late and changes nothing
    assert h.execution(child["id"])["state"] == "CANCELLED"


def test_lost_pause_and_lost_resume_reach_the_subworkflow(h: Harness) -> None:
    h.define(NESTED)
    wf_id = h.start("parent")
    child = _child_of(h, wf_id)
    _lose_propagation(h)
    h.engine.pause_workflow(CTX, wf_id)
    assert h.execution(child["id"])["state"] == "RUNNING"
    _restore_propagation(h)
    _due(h)
    h.engine.reconcile()
    assert h.execution(child["id"])["state"] == "PAUSED"
    assert h.execution(wf_id)["state"] == "PAUSED"

    _lose_propagation(h)
    h.engine.resume_workflow(CTX, wf_id)
    assert h.execution(child["id"])["state"] == "PAUSED"
    _restore_propagation(h)
    _due(h)
    h.engine.reconcile()
    assert h.execution(child["id"])["state"] == "RUNNING"
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_subworkflow_paused_on_its_own_pauses_its_parent_not_resumed(h: Harness) -> None:
    h.define(NESTED)
    wf_id = h.start("parent")
    child = _child_of(h, wf_id)
    h.engine.services.on_child_finished = lambda ctx, child_id: None   # lost on the way up
    h.engine.pause_workflow(CTX, child["id"])
    h.engine.services.on_child_finished = h.engine.on_subworkflow_finished
    assert h.execution(wf_id)["state"] == "RUNNING"
    _due(h)
    h.engine.reconcile()
    assert h.execution(child["id"])["state"] == "PAUSED"
    assert h.execution(wf_id)["state"] == "PAUSED"


# -- standalone actions -------------------------------------------------------------


def test_lost_standalone_action_is_resent_and_finishes(h: Harness) -> None:
    ax = h.engine.start_action(CTX, "std.echo", {"output": "hi"})
    assert h.executor.queue
    h.executor.queue.clear()                      # lost before any executor took it
    h.clock.advance(11)
    assert h.engine.reconcile() >= 1
    assert [r.action_ex_id for _, r in h.executor.queue] == [ax["id"]]
    h.run_until_idle()
    with h.db.transaction(CTX, readonly=True) as tx:
        row = tx.action_executions.get(ax["id"])
        assert row.state == "SUCCESS" and row.output == {"result": "hi"}


def test_standalone_action_whose_executor_died_fails(h: Harness) -> None:
    ax = h.engine.start_action(CTX, "std.echo", {"output": "hi"})
    h.executor.queue.clear()
    h.engine.report_running_actions(CTX, [ax["id"]])   # taken ... then silence
    h.clock.advance(30)
    assert h.engine.reconcile() >= 1
    with h.db.transaction(CTX, readonly=True) as tx:
        row = tx.action_executions.get(ax["id"])
        assert row.state == "ERROR" and "no heartbeat" in row.state_info
    assert not h.executor.queue


def test_standalone_action_nobody_takes_fails_at_its_own_timeout(h: Harness) -> None:
    ax = h.engine.start_action(CTX, "std.echo", {"output": "hi"}, params={"timeout": 30})
    for _ in range(4):
        h.executor.queue.clear()
        h.clock.advance(11)
        h.engine.reconcile()
    with h.db.transaction(CTX, readonly=True) as tx:
        row = tx.action_executions.get(ax["id"])
        assert row.state == "ERROR" and "within its timeout" in row.state_info


# -- delayed and waiting tasks ------------------------------------------------------

DELAYED = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=late
      wait-before: 5
"""


def test_delayed_task_whose_timer_job_is_gone_fires(h: Harness) -> None:
    h.define(DELAYED)
    wf_id = h.start("wf")
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    h.clock.advance(30)
    h.engine.reconcile()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED", "its timer is still there"
    h.scheduler.jobs.clear()                        # the job was dropped
    h.clock.advance(30)
    assert h.engine.reconcile() >= 1
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"


JOIN = """
version: '2.0'
wf:
  tasks:
    a:
      action: std.noop
      on-success: j
    b:
      action: std.fail
      on-success: j
    j:
      join: all
      action: std.noop
"""


def test_waiting_join_left_alone_is_rechecked(h: Harness) -> None:
    """A join that can no longer be satisfied, whose failing event was lost (simulated
    in the rows: b failed and was routed, nothing checked the execution after it)."""
    h.define(JOIN)
    h.executor.hold = True
    wf_id = h.start("wf")
    (ctx_a, req_a), (_, req_b) = list(h.executor.queue)
    h.executor.queue.clear()
    h.executor.hold = False
    h.engine.on_action_complete(ctx_a, req_a.action_ex_id, ActionResult(data=None))
    assert h.task(wf_id, "j")["state"] == "WAITING"
    b = h.task(wf_id, "b")
    with h.db.transaction(CTX) as tx:
        tx.action_executions.update(req_b.action_ex_id, {"state": "ERROR"})
        tx.task_executions.update(b["id"], {"state": "ERROR", "processed": True,
                                            "state_info": "failed"})
    assert h.execution(wf_id)["state"] == "RUNNING"
    h.clock.advance(60)
    assert h.engine.reconcile() >= 0
    task = h.task(wf_id, "j")
    assert task["state"] == "ERROR"
    assert h.execution(wf_id)["state"] == "ERROR"
