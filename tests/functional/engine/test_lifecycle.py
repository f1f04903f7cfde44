"""pause / resume / stop / rerun, and illegal state changes."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from tests.functional.engine.harness import CTX, Harness, result_of

TWO = """
version: '2.0'
wf:
  tasks:
    t1:
      action: std.echo output=1
      on-success: [t2]
    t2:
      action: std.echo output=2
"""


def test_pause_holds_next_tasks_until_resume(h: Harness) -> None:
    h.define(TWO)
    wf_id = h.start("wf")
    h.engine.pause_workflow(CTX, wf_id)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "PAUSED"
    assert h.task_states(wf_id) == {"t1": "SUCCESS"}
    h.engine.resume_workflow(CTX, wf_id)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert h.task_states(wf_id) == {"t1": "SUCCESS", "t2": "SUCCESS"}


def test_resume_of_success_execution_is_refused(h: Harness) -> None:
    h.define(TWO)
    wf = h.run("wf")
    with pytest.raises(exc.InvalidStateTransitionError) as e:
        h.engine.resume_workflow(CTX, wf["id"])
    assert "SUCCESS" in str(e.value) and wf["id"] in str(e.value)
    assert h.execution(wf["id"])["state"] == "SUCCESS"


def test_pause_of_finished_and_stop_of_finished_are_refused(h: Harness) -> None:
    h.define(TWO)
    wf = h.run("wf")
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.pause_workflow(CTX, wf["id"])
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.stop_workflow(CTX, wf["id"], "CANCELLED")


def test_stop_with_error_state_and_message(h: Harness) -> None:
    h.define(TWO)
    wf_id = h.start("wf")
    h.engine.stop_workflow(CTX, wf_id, "ERROR", "operator stopped it")
    wf = h.execution(wf_id)
    assert (wf["state"], wf["state_info"]) == ("ERROR", "operator stopped it")
    assert h.task_states(wf_id) == {"t1": "CANCELLED"}
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "ERROR"


RERUN = """
version: '2.0'
wf:
  input: [fail: true]
  tasks:
    t1:
      action: std.echo output=ok
      on-success: [t2]
    t2:
      action: std.fail
      on-success: [t3]
    t3:
      action: std.noop
"""


def test_rerun_failed_task(h: Harness) -> None:
    h.define(RERUN)
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    t2 = h.task(wf["id"], "t2")
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.rerun_workflow(CTX, h.task(wf["id"], "t1")["id"])
    h.engine.rerun_workflow(CTX, t2["id"])
    h.run_until_idle()
    assert len(h.actions(t2["id"])) == 2
    assert h.execution(wf["id"])["state"] == "ERROR"  # std.fail fails again


def test_rerun_with_items_keeps_finished_items_unless_reset(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% [0, 1, 2] %>
      action: std.echo output=<% $.i %>
      fail-on: <% true %>
""")
    wf = h.run("wf")
    task = h.task(wf["id"], "t")
    assert task["state"] == "ERROR"
    h.engine.rerun_workflow(CTX, task["id"], reset=False)
    h.run_until_idle()
    assert len(h.actions(task["id"])) == 3  # every item had succeeded: nothing re-run
    h.engine.rerun_workflow(CTX, task["id"], reset=True)
    h.run_until_idle()
    assert len(h.actions(task["id"])) == 6
    assert result_of(h.task(wf["id"], "t")) == [0, 1, 2]


def test_rerun_with_items_reruns_only_failed_items(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% [0, 1, 2] %>
      action: std.echo output=<% $.i %>
      on-success: [after]
    after:
      action: std.noop
""")
    wf_id = h.start("wf")
    task = h.task(wf_id, "t")
    # item 1's executor dies: fail it by hand
    ctx, lost = h.executor.queue[1]
    del h.executor.queue[1]
    from mistral.engine.interface import ActionResult

    h.engine.on_action_complete(ctx, lost.action_ex_id, ActionResult(error="executor died"))
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "ERROR"
    h.engine.rerun_workflow(CTX, task["id"], reset=False)
    h.run_until_idle()
    assert len(h.actions(task["id"])) == 4
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert result_of(h.task(wf_id, "t")) == [0, 1, 2]
    assert h.task_states(wf_id)["after"] == "SUCCESS"


def test_rerun_inside_subworkflow_reopens_parent(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    t:
      action: std.echo output=x
      fail-on: <% env().get(fail, true) %>
""")
    wf = h.run("parent", env={"fail": True})
    assert wf["state"] == "ERROR"
    [child] = h.children(h.task(wf["id"], "call")["id"])
    h.engine.rerun_workflow(CTX, h.task(child["id"], "t")["id"], env={"fail": False})
    h.run_until_idle()
    assert h.execution(child["id"])["state"] == "SUCCESS"
    assert h.execution(wf["id"])["state"] == "SUCCESS"


def test_resume_of_failed_execution_is_refused(h: Harness) -> None:
    h.define(RERUN)
    wf = h.run("wf")
    with pytest.raises(exc.InvalidStateTransitionError) as e:
        h.engine.resume_workflow(CTX, wf["id"])
    assert "ERROR" in str(e.value)
    assert h.execution(wf["id"])["state"] == "ERROR"


def test_rerun_with_skip_continues_on_success_path(h: Harness) -> None:
    h.define(RERUN)
    wf = h.run("wf")
    t2 = h.task(wf["id"], "t2")
    h.engine.rerun_workflow(CTX, t2["id"], skip=True)
    h.run_until_idle()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    assert h.task_states(wf["id"])["t3"] == "SUCCESS"


def test_action_update_pause_and_illegal_finish(h: Harness) -> None:
    ax = h.engine.start_action(CTX, "std.async_noop", {})
    h.run_until_idle()
    h.engine.on_action_update(CTX, ax["id"], "PAUSED")
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.on_action_update(CTX, ax["id"], "SUCCESS")
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.on_action_update(CTX, ax["id"], "IDLE")


SKIPPABLE = """
version: '2.0'
wf:
  tasks:
    t1:
      action: std.fail
      publish-on-skip:
        skipped_by: user
      on-skip: [after_skip]
      on-success: [after_success]
      on-complete: [after_complete]
    after_skip:
      action: std.echo output=<% $.skipped_by %>
    after_success:
      action: std.noop
    after_complete:
      action: std.noop
"""


def test_skip_a_failed_task_follows_on_skip(h: Harness) -> None:
    h.define(SKIPPABLE)
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    t1 = h.task(wf["id"], "t1")
    h.engine.rerun_workflow(CTX, t1["id"], skip=True)
    h.run_until_idle()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    # on-complete ran once, when t1 failed; the skip follows on-skip only, neither
    # on-success nor on-complete (Mistral 23's rules)
    assert sorted(t["name"] for t in h.tasks(wf["id"])) == ["after_complete", "after_skip", "t1"]
    assert h.task_states(wf["id"])["t1"] == "SKIPPED"
    t1 = h.task(wf["id"], "t1")
    assert t1["state_info"] == "Task was skipped."
    assert t1["published"] == {"skipped_by": "user"}
    assert result_of(h.task(wf["id"], "after_skip")) == "user"


def test_skip_without_on_skip_follows_on_success(h: Harness) -> None:
    h.define(RERUN)
    wf = h.run("wf")
    t2 = h.task(wf["id"], "t2")
    h.engine.rerun_workflow(CTX, t2["id"], skip=True)
    h.run_until_idle()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    assert h.task_states(wf["id"]) == {"t1": "SUCCESS", "t2": "SKIPPED", "t3": "SUCCESS"}
    assert len(h.actions(t2["id"])) == 1  # nothing ran again


def test_only_a_failed_task_can_be_skipped(h: Harness) -> None:
    h.define(RERUN)
    wf = h.run("wf")
    t1 = h.task(wf["id"], "t1")
    with pytest.raises(exc.InvalidStateTransitionError):
        h.engine.rerun_workflow(CTX, t1["id"], skip=True)
    assert h.task(wf["id"], "t1")["state"] == "SUCCESS"
    assert h.execution(wf["id"])["state"] == "ERROR"


def test_a_skipped_requirement_lets_a_reverse_workflow_go_on(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  type: reverse
  tasks:
    first:
      action: std.fail
    last:
      action: std.echo output=done
      requires: [first]
""")
    wf = h.run("wf", task_name="last")
    assert wf["state"] == "ERROR"
    h.engine.rerun_workflow(CTX, h.task(wf["id"], "first")["id"], skip=True)
    h.run_until_idle()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    assert h.task_states(wf["id"]) == {"first": "SKIPPED", "last": "SUCCESS"}
