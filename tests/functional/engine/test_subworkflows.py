"""Subworkflows: input/output, errors, nesting, with-items over workflows, propagation."""

from __future__ import annotations

from tests.functional.engine.harness import CTX, Harness, result_of

WFS = """
version: '2.0'
parent:
  input: [x]
  output:
    doubled: <% $.doubled %>
  tasks:
    call:
      workflow: child
      input:
        n: <% $.x %>
      publish:
        doubled: <% task().result.out %>
child:
  input: [n]
  output:
    out: <% $.res %>
  tasks:
    work:
      action: std.echo output=<% $.n * 2 %>
      publish:
        res: <% task().result %>
"""


def test_subworkflow_input_and_output(h: Harness) -> None:
    h.define(WFS)
    wf = h.run("parent", {"x": 21})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"doubled": 42}
    call = h.task(wf["id"], "call")
    [child] = h.children(call["id"])
    assert child["state"] == "SUCCESS"
    assert child["root_execution_id"] == wf["id"]
    assert result_of(call) == {"out": 42}


def test_subworkflow_error_propagates(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    boom:
      action: std.fail error_data=deep
""")
    wf = h.run("parent")
    assert wf["state"] == "ERROR"
    assert "call" in wf["state_info"]
    assert "boom" in h.task(wf["id"], "call")["state_info"]


def test_bad_subworkflow_input_fails_task_not_engine(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
      input: {wrong: 1}
child:
  input: [n]
  tasks:
    t:
      action: std.noop
""")
    wf = h.run("parent")
    assert wf["state"] == "ERROR"
    info = h.task(wf["id"], "call")["state_info"]
    assert "missing: n" in info and "unexpected: wrong" in info


def test_nesting_three_levels(h: Harness) -> None:
    h.define("""
version: '2.0'
l1:
  output: {v: <% $.v %>}
  tasks:
    t:
      workflow: l2
      publish: {v: <% task().result.v %>}
l2:
  output: {v: <% $.v %>}
  tasks:
    t:
      workflow: l3
      publish: {v: <% task().result.v %>}
l3:
  output: {v: deep}
  tasks:
    t:
      action: std.noop
""")
    wf = h.run("l1")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"v": "deep"}


def test_with_items_over_subworkflows(h: Harness) -> None:
    h.define(WFS.replace("""    call:
      workflow: child
      input:
        n: <% $.x %>
      publish:
        doubled: <% task().result.out %>""", """    call:
      with-items: n in <% $.x %>
      workflow: child
      input:
        n: <% $.n %>
      publish:
        doubled: <% task().result.select($.out) %>"""))
    wf = h.run("parent", {"x": [1, 2, 3]})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"doubled": [2, 4, 6]}


def test_pause_resume_and_cancel_propagate_to_subworkflow(h: Harness) -> None:
    h.define(WFS)
    wf_id = h.start("parent", {"x": 1})
    h.executor.hold = True
    [child] = h.children(h.task(wf_id, "call")["id"])
    h.engine.pause_workflow(CTX, wf_id)
    assert h.execution(child["id"])["state"] == "PAUSED"
    h.engine.resume_workflow(CTX, wf_id)
    assert h.execution(child["id"])["state"] == "RUNNING"
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED", "enough")
    assert h.execution(wf_id)["state"] == "CANCELLED"
    assert h.execution(child["id"])["state"] == "CANCELLED"
    h.executor.hold = False
    h.run_until_idle()  # the child's late action result is ignored
    assert h.execution(wf_id)["state"] == "CANCELLED"


def test_cancelled_subworkflow_cancels_parent(h: Harness) -> None:
    h.define(WFS)
    wf_id = h.start("parent", {"x": 1})
    [child] = h.children(h.task(wf_id, "call")["id"])
    h.engine.stop_workflow(CTX, child["id"], "CANCELLED")
    h.run_until_idle()
    assert h.task(wf_id, "call")["state"] == "CANCELLED"
    assert h.execution(wf_id)["state"] == "CANCELLED"


def test_timeout_of_subworkflow_task_cancels_the_child(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: slow
      timeout: 10
slow:
  tasks:
    t:
      action: std.async_noop
""")
    wf_id = h.start("parent")
    h.run_until_idle()
    [child] = h.children(h.task(wf_id, "call")["id"])
    h.clock.advance(10)
    h.run_until_idle()
    assert h.task(wf_id, "call")["state"] == "ERROR"
    assert "timed out" in h.task(wf_id, "call")["state_info"]
    assert h.execution(child["id"])["state"] == "CANCELLED"
    assert h.execution(wf_id)["state"] == "ERROR"


def test_retry_of_subworkflow_task_starts_a_new_child(h: Harness) -> None:
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: bad
      retry: {count: 2}
bad:
  tasks:
    t:
      action: std.fail
""")
    wf = h.run("parent")
    assert wf["state"] == "ERROR"
    assert len(h.children(h.task(wf["id"], "call")["id"])) == 3


def test_pausing_a_subworkflow_pauses_its_parent_and_resume_goes_both_ways(h: Harness) -> None:
    h.define(WFS)
    wf_id = h.start("parent", {"x": 2})
    h.executor.hold = True
    [child] = h.children(h.task(wf_id, "call")["id"])
    h.engine.pause_workflow(CTX, child["id"])
    assert h.execution(wf_id)["state"] == "PAUSED"
    assert "was paused" in h.execution(wf_id)["state_info"]
    h.engine.resume_workflow(CTX, child["id"])
    assert h.execution(wf_id)["state"] == "RUNNING"
    h.executor.hold = False
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert h.execution(wf_id)["output"] == {"doubled": 4}


def test_tasks_function_recursive_state_and_flat(h: Harness) -> None:
    # tasks(id, recursive, state, flat) through the engine, answers checked against the
    # real Mistral 23 (the differential test runs the same workflow there).
    h.define("""
version: '2.0'
tf_child:
  tasks:
    c1:
      action: std.noop
      on-success: [c2]
    c2:
      action: std.noop
tf_parent:
  tasks:
    a1:
      action: std.noop
      on-success: [sub]
    sub:
      workflow: tf_child
      on-success: [check]
    check:
      action: std.noop
      publish:
        own: <% tasks(execution().id).select($.name) %>
        deep: <% tasks(execution().id, true).select($.name) %>
        flat: <% tasks(execution().id, true, null, true).select($.name) %>
        ok: <% tasks(execution().id, true, 'SUCCESS').select($.name) %>
        okflat: <% tasks(execution().id, false, 'SUCCESS', true).select($.name) %>
""")
    wf = h.run("tf_parent")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    got = {k: sorted(v) for k, v in h.task(wf["id"], "check")["published"].items()}
    assert got == {
        "own": ["a1", "check", "sub"],
        "deep": ["a1", "c1", "c2", "check", "sub"],
        "flat": ["a1", "c1", "c2", "check"],  # sub ended as its subworkflow did
        "ok": ["a1", "c1", "c2", "check", "sub"],  # check as it completes, as Mistral
        "okflat": ["a1", "check"],
    }
