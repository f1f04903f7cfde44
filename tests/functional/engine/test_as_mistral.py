"""What whole workflows leave behind, worded and shaped as Mistral 23 leaves it (the
differential corpus, ``tests/integration/differential/workflows.yaml``, checks the same
against the real one)."""

from __future__ import annotations

from tests.functional.engine.harness import Harness, result_of

FAILING = """
version: '2.0'
failing:
  tasks:
    flaky:
      action: std.fail
      retry: {count: 1, delay: 0}
"""


def test_an_action_that_raises_and_the_failure_of_the_workflow_are_worded_as_mistral(h: Harness) -> None:
    h.define(FAILING)
    wf = h.run("failing")
    assert wf["state"] == "ERROR"
    task = h.task(wf["id"], "flaky")
    first, second = h.actions(task["id"])
    raised = "The action raised an exception [action=Fail action, action_ex_id=%s, " \
             "msg='Fail action expected exception.']"
    assert result_of(task) == raised % second["id"]
    assert wf["output"]["result"] == (
        "Failure caused by error in tasks: flaky\n"
        f"\n  flaky [task_ex_id={task['id']}] -> {raised % second['id']}\n"
        f"    [action_ex_id={first['id']}, idx=0]: {raised % first['id']}\n"
        f"    [action_ex_id={second['id']}, idx=1]: {raised % second['id']}\n"
    )


RESULTS = """
version: '2.0'
results:
  tasks:
    quiet:
      action: std.noop
      on-success: [missing]
    missing:
      action: no_such_action_here
"""


def test_a_result_of_none_is_kept_and_a_task_without_an_action_has_no_results(h: Harness) -> None:
    h.define(RESULTS)
    wf = h.run("results")
    assert wf["state"] == "ERROR"
    quiet = h.task(wf["id"], "quiet")
    assert "result" in quiet["runtime_context"] and result_of(quiet) is None
    missing = h.task(wf["id"], "missing")
    assert missing["state"] == "ERROR" and "no_such_action_here" in missing["state_info"]
    assert result_of(missing) == []


FUNCTIONS = """
version: '2.0'
functions:
  input: [x: 1]
  tasks:
    first:
      action: std.echo output=1
      publish:
        me: <% task() %>
        ex_keys: <% execution().keys().orderBy($) %>
  output:
    me: <% $.me %>
    ex_keys: <% $.ex_keys %>
    ex: <% $.get('__execution') %>
    env: <% $.get('__env') %>
"""


def test_task_and_execution_functions_and_the_data_of_output_are_mistrals(h: Harness) -> None:
    h.define(FUNCTIONS)
    wf = h.run("functions", env={"k": "v"})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    me = wf["output"]["me"]
    assert me["spec"] == {"action": "std.echo output=1", "name": "first", "type": "direct",
                          "version": "2.0", "publish": {"me": "<% task() %>",
                                                        "ex_keys": "<% execution().keys().orderBy($) %>"}}
    assert me["created_at"] and "." not in me["created_at"] and me["result"] == 1
    assert wf["output"]["ex_keys"] == ["created_at", "id", "input", "name", "params",
                                       "root_execution_id", "spec", "updated_at"]
    assert wf["output"]["ex"] == {"id": wf["id"]} and wf["output"]["env"] == {"k": "v"}


HELD = """
version: '2.0'
held:
  tasks:
    t:
      pause-before: true
      action: std.noop
"""


def test_pause_before_says_why_on_the_task_not_on_the_execution(h: Harness) -> None:
    h.define(HELD)
    wf = h.run("held")
    assert wf["state"] == "PAUSED" and wf["state_info"] is None
    t = h.task(wf["id"], "t")
    assert t["state"] == "IDLE" and t["state_info"] == "Set by 'pause-before' policy"


PARENT = """
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    boom:
      action: std.fail error_data="it broke"
"""


def test_the_result_of_a_failed_subworkflow_task_is_the_subworkflows_output(h: Harness) -> None:
    h.define(PARENT)
    wf = h.run("parent")
    assert wf["state"] == "ERROR"
    call = h.task(wf["id"], "call")
    [child] = h.children(call["id"])
    assert result_of(call) == child["output"] and child["output"]["result"].startswith(
        "Failure caused by error in tasks: boom")
    assert call["state_info"] == child["state_info"]
    assert f"[wf_ex_id={child['id']}, idx=0]: {child['output']['result']}" in wf["output"]["result"]


JOIN_AFTER_FAILURE = """
version: '2.0'
join_after_failure:
  tasks:
    start:
      action: std.noop
      on-success: [ok, bad]
    ok:
      action: std.noop
      on-success: [joined]
    bad:
      action: std.fail
      on-success: [joined]
    joined:
      join: all
      action: std.noop
"""


def test_a_join_that_can_no_longer_run_names_the_inbound_tasks_that_failed_it(h: Harness) -> None:
    h.define(JOIN_AFTER_FAILURE)
    wf = h.run("join_after_failure")
    assert wf["state"] == "ERROR"
    joined = h.task(wf["id"], "joined")
    assert joined["state"] == "ERROR" and joined["state_info"] == "Failed by tasks: ['bad']"
    assert f"joined [task_ex_id={joined['id']}] -> {joined['state_info']}\n" in wf["output"]["result"]
