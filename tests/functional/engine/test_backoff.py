"""Retry backoff (exponential, max-delay, jitter) and a workflow's own timeout, through
the engine with a fake clock: the delays are read from the timers the engine scheduled."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from tests.functional.engine.harness import CTX, Harness


def _retry_waits(h: Harness, wf_id: str, task: str, retries: int) -> list[float]:
    """Run the task's retries one by one; the seconds between each failure and the
    retry timer it scheduled."""
    waits = []
    for _ in range(retries):
        h.run_until_idle()
        job, = [j for j in h.scheduler.jobs if j["handler"] == "task.retry"]
        waits.append((job["run_at"] - h.clock.now()).total_seconds())
        h.clock.t = job["run_at"]
    h.run_until_idle()
    return waits


def test_exponential_backoff_doubles_up_to_max_delay(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.fail
      retry: {count: 5, delay: 2, backoff: exponential, max-delay: 10}
""")
    wf_id = h.start("wf")
    assert _retry_waits(h, wf_id, "t", 5) == [2, 4, 8, 10, 10]
    assert h.execution(wf_id)["state"] == "ERROR"
    task = h.task(wf_id, "t")
    assert len(h.actions(task["id"])) == 6


def test_jitter_keeps_each_wait_in_its_share(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  input: [share]
  tasks:
    t:
      action: std.fail
      retry: count=6 delay=8 jitter=<% $.share %>
""")
    wf_id = h.start("wf", {"share": 0.5})
    waits = _retry_waits(h, wf_id, "t", 6)
    assert all(4 <= w <= 8 for w in waits), waits
    assert h.execution(wf_id)["state"] == "ERROR"


def test_a_bad_jitter_value_fails_the_task_naming_it(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.fail
      retry: {count: 2, delay: 1, jitter: <% 'lots' %>}
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    info = h.task(wf["id"], "t")["state_info"]
    assert "'retry.jitter' of task 't'" in info and "between 0 and 1" in info


WORKFLOW_TIMEOUT = """
version: '2.0'
slow:
  input: [limit]
  timeout: <% $.limit %>
  output-on-error:
    waited: true
  tasks:
    wait:
      action: std.async_noop
    after:
      wait-before: 1000
"""


def test_workflow_timeout_fails_the_execution_and_cancels_its_tasks(h: Harness) -> None:
    h.define(WORKFLOW_TIMEOUT)
    wf_id = h.start("slow", {"limit": 30})
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "RUNNING"
    h.clock.advance(29)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "RUNNING"
    h.clock.advance(1)
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "ERROR"
    assert ex["state_info"] == "Workflow 'slow' timed out after 30 seconds"
    assert ex["output"]["waited"] is True
    assert h.task_states(wf_id) == {"wait": "CANCELLED", "after": "CANCELLED"}
    assert h.executor.cancelled  # the running action was told to stop


def test_workflow_timeout_of_a_paused_execution_and_after_the_end(h: Harness) -> None:
    h.define(WORKFLOW_TIMEOUT)
    paused = h.start("slow", {"limit": 5})
    h.run_until_idle()
    h.engine.pause_workflow(CTX, paused)
    h.clock.advance(5)
    h.run_until_idle()
    assert h.execution(paused)["state"] == "ERROR"

    h.define("""
version: '2.0'
quick:
  timeout: 5
  tasks:
    t: {}
""")
    quick = h.start("quick")
    h.run_until_idle()
    assert h.execution(quick)["state"] == "SUCCESS"
    h.clock.advance(10)
    h.run_until_idle()  # the timer fires on a finished execution: nothing changes
    assert h.execution(quick)["state"] == "SUCCESS"


def test_a_subworkflow_timeout_fails_its_parent_task(h: Harness) -> None:
    h.define(WORKFLOW_TIMEOUT + """
parent:
  tasks:
    call:
      workflow: slow limit=3
      on-error: recovered
    recovered: {}
""")
    wf_id = h.start("parent")
    h.run_until_idle()
    h.clock.advance(3)
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "SUCCESS"
    call = h.task(wf_id, "call")
    assert call["state"] == "ERROR" and "timed out after 3 seconds" in call["state_info"]


@pytest.mark.parametrize("limit, fragment", [
    (-1, "between 0 and"), ("soon", "got 'soon'"), (10 ** 12, "between 0 and"),
])
def test_a_bad_timeout_refuses_the_start_and_writes_nothing(h: Harness, limit: object,
                                                            fragment: str) -> None:
    h.define(WORKFLOW_TIMEOUT)
    with pytest.raises(exc.InputError) as e:
        h.start("slow", {"limit": limit})
    assert "'timeout' of workflow 'slow'" in str(e.value) and fragment in str(e.value)
    with h.db.transaction(CTX, readonly=True) as tx:
        assert tx.workflow_executions.count() == 0
    assert not h.scheduler.jobs
