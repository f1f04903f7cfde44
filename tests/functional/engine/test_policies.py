"""Task policies: retry, wait-before, wait-after, timeout, pause-before, keep-result, fail-on."""

from __future__ import annotations

from tests.functional.engine.harness import CTX, Harness, result_of


def test_retry_count_then_fail(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.fail
      retry:
        count: 3
        delay: 2
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    task = h.task(wf["id"], "t")
    assert len(h.actions(task["id"])) == 4
    assert task["runtime_context"]["retry_no"] == 3


def test_retry_delay_puts_task_in_running_delayed(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.fail
      retry: {count: 1, delay: 10}
""")
    wf_id = h.start("wf")
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    h.clock.advance(9)
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    h.clock.advance(1)
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "ERROR"
    assert h.execution(wf_id)["state"] == "ERROR"


def test_retry_break_on(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.fail error_data=fatal
      retry:
        count: 5
        break-on: <% task().result = 'fatal' %>
""")
    wf = h.run("wf")
    assert len(h.actions(h.task(wf["id"], "t")["id"])) == 1


def test_retry_continue_on_polls_while_condition_holds(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=not-ready
      retry:
        count: 3
        delay: 1
        continue-on: <% task().result = 'not-ready' %>
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"
    assert len(h.actions(h.task(wf["id"], "t")["id"])) == 4


def test_wait_before_and_wait_after(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.noop
      wait-before: 5
      wait-after: 7
""")
    wf_id = h.start("wf")
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    assert not h.executor.sent
    h.clock.advance(5)
    h.run_until_idle()
    assert len(h.executor.sent) == 1
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    h.clock.advance(6)
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    h.clock.advance(1)
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "SUCCESS"
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_timeout_fails_task_and_late_result_is_ignored(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=late
      timeout: 30
      on-error: [after_timeout]
    after_timeout:
      action: std.noop
""")
    wf_id = h.start("wf")
    h.executor.hold = True
    h.clock.advance(30)
    h.scheduler.pump()
    task = h.task(wf_id, "t")
    assert task["state"] == "ERROR"
    assert "timed out" in task["state_info"]
    h.executor.hold = False
    h.run_until_idle()  # the late result arrives and is ignored
    assert h.task(wf_id, "t")["state"] == "ERROR"
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert h.task_states(wf_id)["after_timeout"] == "SUCCESS"


def test_pause_before_pauses_and_resume_runs_task(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.noop
      on-success: [t2]
    t2:
      action: std.noop
      pause-before: true
""")
    wf = h.run("wf")
    assert wf["state"] == "PAUSED"
    assert h.task_states(wf["id"]) == {"t1": "SUCCESS", "t2": "IDLE"}
    h.engine.resume_workflow(CTX, wf["id"])
    h.run_until_idle()
    assert h.execution(wf["id"])["state"] == "SUCCESS"


def test_keep_result_false_drops_result_but_publishes(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=big
      keep-result: false
      publish:
        seen: <% task().result %>
""")
    wf = h.run("wf")
    task = h.task(wf["id"], "t")
    assert result_of(task) is None
    assert task["published"] == {"seen": "big"}


def test_fail_on_turns_success_into_error(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=3
      fail-on: <% task().result > 2 %>
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert "fail-on" in h.task(wf["id"], "t")["state_info"]


def test_with_items_retry_reruns_items(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% [1, 2] %>
      action: std.fail
      retry: {count: 1}
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert len(h.actions(h.task(wf["id"], "t")["id"])) == 4


def test_timer_due_while_paused_fires_on_resume(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.noop
      wait-before: 5
""")
    wf_id = h.start("wf")
    h.engine.pause_workflow(CTX, wf_id)
    h.clock.advance(5)
    h.run_until_idle()
    assert h.task(wf_id, "t")["state"] == "RUNNING_DELAYED"
    assert not h.executor.sent
    h.engine.resume_workflow(CTX, wf_id)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
