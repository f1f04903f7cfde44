"""Claims and cancels between the engine and its executors (real database rows)."""

from __future__ import annotations

from tests.functional.engine.harness import CTX, Harness

SLOW = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.sleep seconds=60
      safe-rerun: true
"""


def test_only_the_first_claim_of_a_send_is_granted(h: Harness) -> None:
    h.define(SLOW)
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    ae = req.action_ex_id
    assert h.engine.claim_action(CTX, ae, "exec-1", "exec-1:1:a")
    assert h.engine.claim_action(CTX, ae, "exec-1", "exec-1:1:a"), "its answer may be lost"
    assert not h.engine.claim_action(CTX, ae, "exec-2", "exec-2:7:b"), "a duplicate ran it twice"
    assert not h.engine.claim_action(CTX, ae, "exec-1", "exec-1:9:c"), "a restarted process"
    [row] = h.actions(h.task(wf_id, "t")["id"])
    assert row["accepted"] and row["executor_host"] == "exec-1"
    # exec-1 dies; the safe re-run is a new send, claimed afresh by whoever takes it
    h.clock.advance(60)
    h.engine.reconcile()
    assert [r.action_ex_id for _, r in h.executor.queue][-1] == ae
    assert h.engine.claim_action(CTX, ae, "exec-2", "exec-2:7:b")
    assert not h.engine.claim_action(CTX, ae, "exec-1", "exec-1:1:a")


def test_a_finished_action_is_not_claimed(h: Harness) -> None:
    h.define(SLOW.replace("std.sleep seconds=60", "std.echo output=1"))
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert not h.engine.claim_action(CTX, req.action_ex_id, "exec-1", "exec-1:1:a")


def test_queued_heartbeats_keep_an_action_from_being_resent_but_do_not_acknowledge(
        h: Harness) -> None:
    h.define(SLOW)
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    h.executor.queue.clear()
    for _ in range(5):
        h.clock.advance(8)
        h.engine.report_running_actions(CTX, [req.action_ex_id], host="exec-1", queued=True)
        h.engine.reconcile()
    assert not h.executor.queue, "re-sent although an executor holds it"
    [row] = h.actions(h.task(wf_id, "t")["id"])
    assert not row["accepted"] and row["executor_host"] is None


def test_a_claim_whose_answer_was_lost_is_kept_alive_by_queued_heartbeats(h: Harness) -> None:
    # The engine granted exec-1's claim and died before answering; exec-1 retries its
    # claim meanwhile and reports the action as queued: it must not be taken for lost.
    h.define(SLOW.replace("      safe-rerun: true\n", ""))
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    h.executor.queue.clear()
    assert h.engine.claim_action(CTX, req.action_ex_id, "exec-1", "exec-1:1:a")
    for _ in range(5):
        h.clock.advance(8)
        h.engine.report_running_actions(CTX, [req.action_ex_id], host="exec-1", queued=True)
        h.engine.reconcile()
    assert h.task(wf_id, "t")["state"] == "RUNNING"
    assert h.engine.claim_action(CTX, req.action_ex_id, "exec-1", "exec-1:1:a")
    # another host's queued heartbeat does not keep it alive
    for _ in range(3):
        h.clock.advance(8)
        h.engine.report_running_actions(CTX, [req.action_ex_id], host="exec-2", queued=True)
        h.engine.reconcile()
    assert h.task(wf_id, "t")["state"] == "ERROR"


def test_cancelling_a_workflow_reaches_the_executor_running_its_action(h: Harness) -> None:
    h.define(SLOW)
    h.executor.hold = True
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED")
    assert h.executor.cancelled == [req.action_ex_id]
    assert h.execution(wf_id)["state"] == "CANCELLED"


def test_a_task_timeout_reaches_the_executor_running_its_action(h: Harness) -> None:
    h.define(SLOW.replace("      safe-rerun: true\n", "      timeout: 5\n"))
    h.executor.hold = True
    wf_id = h.start("wf")
    [(_, req)] = list(h.executor.queue)
    h.clock.advance(6)
    h.scheduler.pump()
    assert h.executor.cancelled == [req.action_ex_id]
    assert h.execution(wf_id)["state"] == "ERROR"
