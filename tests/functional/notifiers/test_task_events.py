"""TASK_PAUSED / TASK_RESUMED / TASK_RERUN / TASK_SKIPPED / WORKFLOW_RERUN reach the publishers (the
engine harness → LocalNotifier → webhook → a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

from typing import Any

from mistral.engine.settings import EngineSettings
from mistral.notifiers.local import LocalNotifier
from tests.functional.engine.harness import CTX, Harness
from tests.functional.notifiers.test_webhook import Receiver, notifier, receiver  # noqa: F401

PAUSE_BEFORE = """
version: '2.0'
wf:
  tasks:
    t1:
      action: std.noop
      pause-before: true
"""

ONE = """
version: '2.0'
one:
  tasks:
    t1:
      action: std.noop
"""

FLAKY = """
version: '2.0'
flaky:
  input: [fail]
  tasks:
    t1:
      action: std.fail
"""


def _harness(db: Any, n: LocalNotifier) -> Harness:
    return Harness(db, EngineSettings(), notifier=n)


def test_pause_before_is_task_paused_then_resumed(sqlite_database: Any, receiver: Receiver,
                                                  notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(PAUSE_BEFORE)
    wf_id = h.start("wf", notify=[{"type": "webhook", "url": receiver.url}])
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "PAUSED"
    h.engine.resume_workflow(CTX, wf_id)
    h.run_until_idle()
    notifier.join()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert receiver.events() == [
        ("WORKFLOW_LAUNCHED", "wf"), ("TASK_PAUSED", "t1"), ("WORKFLOW_PAUSED", "wf"),
        ("WORKFLOW_RESUMED", "wf"), ("TASK_RESUMED", "t1"), ("TASK_SUCCEEDED", "t1"),
        ("WORKFLOW_SUCCEEDED", "wf"),
    ]


def test_an_action_paused_and_resumed(sqlite_database: Any, receiver: Receiver,
                                      notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(ONE)
    h.executor.hold = True
    wf_id = h.start("one", notify=[{"type": "webhook", "url": receiver.url}])
    with sqlite_database.transaction(CTX, readonly=True) as tx:
        action_id = tx.action_executions.list(filters={"workflow_execution_id": wf_id})[0].id
    h.engine.on_action_update(CTX, action_id, "PAUSED")
    h.engine.on_action_update(CTX, action_id, "RUNNING")
    notifier.join()
    assert receiver.events() == [
        ("WORKFLOW_LAUNCHED", "one"), ("TASK_LAUNCHED", "t1"),
        ("TASK_PAUSED", "t1"), ("TASK_RESUMED", "t1"),
    ]


def test_rerun_events(sqlite_database: Any, receiver: Receiver, notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(FLAKY)
    wf = h.run("flaky", {"fail": True}, notify=[{"type": "webhook", "url": receiver.url}])
    assert wf["state"] == "ERROR"
    with sqlite_database.transaction(CTX, readonly=True) as tx:
        task_id = tx.task_executions.list(filters={"workflow_execution_id": wf["id"]})[0].id
    h.engine.rerun_workflow(CTX, task_id)
    h.run_until_idle()
    notifier.join()
    events = receiver.events()
    assert events[:3] == [("WORKFLOW_LAUNCHED", "flaky"), ("TASK_LAUNCHED", "t1"), ("TASK_FAILED", "t1")]
    assert ("WORKFLOW_RERUN", "flaky") in events and ("TASK_RERUN", "t1") in events
    assert events.index(("WORKFLOW_RERUN", "flaky")) < events.index(("TASK_RERUN", "t1"))


def test_skip_events(sqlite_database: Any, receiver: Receiver, notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(FLAKY)
    wf = h.run("flaky", {"fail": True}, notify=[{"type": "webhook", "url": receiver.url}])
    with sqlite_database.transaction(CTX, readonly=True) as tx:
        task_id = tx.task_executions.list(filters={"workflow_execution_id": wf["id"]})[0].id
    h.engine.rerun_workflow(CTX, task_id, skip=True)
    h.run_until_idle()
    notifier.join()
    assert h.execution(wf["id"])["state"] == "SUCCESS"
    assert receiver.events()[4:] == [
        ("WORKFLOW_RERUN", "flaky"), ("TASK_SKIPPED", "t1"), ("WORKFLOW_SUCCEEDED", "flaky"),
    ]
