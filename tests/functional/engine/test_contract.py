"""The engine contract on every database: SQLite, PostgreSQL and MariaDB (``database``)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mistral import exceptions as exc
from mistral.engine.interface import ActionResult
from tests.functional.engine.harness import CTX, Harness, result_of

WF = """
version: '2.0'
wf:
  input: [items]
  output:
    out: <% $.out %>
  tasks:
    start:
      action: std.noop
      on-success: [a, b]
    a:
      with-items: i in <% $.items %>
      concurrency: 2
      action: std.echo output=<% $.i %>
      publish: {out: <% task().result %>}
      on-success: [j]
    b:
      action: std.fail
      retry: {count: 1}
      on-error: [j]
    j:
      join: all
      workflow: sub
sub:
  tasks:
    s:
      action: std.noop
"""


@pytest.fixture
def hdb(database: Any) -> Harness:
    return Harness(database)


def test_full_run(hdb: Harness) -> None:
    hdb.define(WF)
    wf = hdb.run("wf", {"items": [3, 1, 2]})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"out": [3, 1, 2]}
    assert hdb.task_states(wf["id"]) == {
        "start": "SUCCESS", "a": "SUCCESS", "b": "ERROR", "j": "SUCCESS"}
    assert result_of(hdb.task(wf["id"], "j")) == {}


def test_bad_input_and_illegal_transition(hdb: Harness) -> None:
    hdb.define(WF)
    with pytest.raises(exc.InputError):
        hdb.engine.start_workflow(CTX, "wf", wf_input={})
    with pytest.raises(exc.NotFoundError):
        hdb.engine.start_workflow(CTX, "missing", wf_input={})
    wf = hdb.run("wf", {"items": []})
    with pytest.raises(exc.InvalidStateTransitionError):
        hdb.engine.resume_workflow(CTX, wf["id"])
    with pytest.raises(exc.NotFoundError):
        hdb.engine.on_action_complete(CTX, "unknown", ActionResult(data=1))
    with hdb.db.transaction(CTX, readonly=True) as tx:
        assert tx.workflow_executions.count(workflow_name="wf") == 1


def test_concurrent_results_for_one_execution(hdb: Harness) -> None:
    """Results of sibling items delivered from several threads: counters stay exact."""
    hdb.define("""
version: '2.0'
wide:
  tasks:
    t:
      with-items: i in <% range(12) %>
      action: std.echo output=<% $.i %>
""")
    wf_id = hdb.start("wide")
    requests = list(hdb.executor.queue)
    hdb.executor.queue.clear()
    errors: list[BaseException] = []

    def deliver(chunk: list) -> None:
        try:
            for ctx, req in chunk:
                hdb.engine.on_action_complete(
                    ctx, req.action_ex_id, ActionResult(data=req.action_input["output"]))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=deliver, args=(requests[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    task = hdb.task(wf_id, "t")
    assert (task["items_done"], task["state"]) == (12, "SUCCESS")
    assert result_of(task) == list(range(12))
    assert hdb.execution(wf_id)["state"] == "SUCCESS"


def test_parallel_executions_with_the_real_local_executor(database: Any) -> None:
    """Several executions at once through the bounded-pool executor (real threads)."""
    import time

    from mistral.actions.registry import ActionRegistry
    from mistral.engine.default_engine import DefaultEngine
    from mistral.engine.settings import EngineSettings
    from mistral.executors.local import LocalExecutor
    from tests.functional.engine.harness import FakeClock, FakeScheduler

    registry = ActionRegistry.load()
    executor = LocalExecutor(registry, max_workers=4, heartbeat_interval=0.5)
    clock = FakeClock()
    engine = DefaultEngine(database, executor, FakeScheduler(database, clock),
                           EngineSettings(), registry=registry)
    executor.attach_engine(engine)
    executor.start()
    try:
        h = Harness(database)
        h.define("""
version: '2.0'
fan:
  tasks:
    start:
      action: std.noop
      on-success: [a, b, c]
    a:
      with-items: i in <% range(6) %>
      action: std.echo output=<% $.i %>
      on-success: [j]
    b:
      action: std.echo output=b
      on-success: [j]
    c:
      action: std.echo output=c
      on-success: [j]
    j:
      join: all
      action: std.noop
""")
        ids = [engine.start_workflow(CTX, "fan", wf_input={})["id"] for _ in range(4)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = [h.execution(i)["state"] for i in ids]
            if all(s in ("SUCCESS", "ERROR") for s in got):
                break
            time.sleep(0.05)
        assert got == ["SUCCESS"] * 4, [h.execution(i)["state_info"] for i in ids]
        for wf_id in ids:
            assert result_of(h.task(wf_id, "a")) == list(range(6))
    finally:
        executor.stop()


def test_pause_resume_rerun_and_timers(hdb: Harness) -> None:
    hdb.define("""
version: '2.0'
life:
  tasks:
    a:
      action: std.echo output=1
      wait-before: 3
      on-success: [b]
    b:
      with-items: i in <% [1, 2] %>
      action: std.echo output=<% $.i %>
      fail-on: <% env().get(fail, false) %>
""")
    wf_id = hdb.start("life", env={"fail": True})
    hdb.engine.pause_workflow(CTX, wf_id)
    hdb.clock.advance(3)
    hdb.run_until_idle()
    assert hdb.task_states(wf_id) == {"a": "RUNNING_DELAYED"}
    hdb.engine.resume_workflow(CTX, wf_id)
    hdb.run_until_idle()
    assert hdb.execution(wf_id)["state"] == "ERROR"
    b = hdb.task(wf_id, "b")
    hdb.engine.rerun_workflow(CTX, b["id"], reset=False, env={"fail": False})
    hdb.run_until_idle()
    assert hdb.execution(wf_id)["state"] == "SUCCESS"
    assert result_of(hdb.task(wf_id, "b")) == [1, 2]
    assert len(hdb.actions(b["id"])) == 2
