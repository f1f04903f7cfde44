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
