"""Notifications end to end: the engine (harness) → LocalNotifier's pool → the webhook
publisher → a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from mistral.context import RequestContext
from mistral.engine.settings import EngineSettings
from mistral.notifiers.base import Event
from mistral.notifiers.local import LocalNotifier, load_publishers
from mistral.utils.egress import EgressPolicy
from tests.functional.engine.harness import CTX, Harness

# The receivers listen on 127.0.0.1, which [action_std_http] denied_cidrs refuses by default.
LOOPBACK_ALLOWED = EgressPolicy(denied_cidrs=())

WF = """
version: '2.0'
wf:
  tasks:
    t1:
      action: std.echo output=1
      on-success: [t2]
    t2:
      action: std.noop
"""

FAILING = """
version: '2.0'
bad:
  tasks:
    t1:
      action: std.fail
"""


class Receiver:
    """An HTTP server that records every POST (body as JSON, headers); ``status`` is
    what it answers."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[dict] = []
        self.headers: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[tuple[str, str]]:
        return [(e["event"], e["name"]) for e in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def notifier() -> Iterator[LocalNotifier]:
    n = LocalNotifier(load_publishers(egress=LOOPBACK_ALLOWED), max_workers=2)
    yield n
    n.stop()


def _harness(db: Any, notifier: Any, **settings: Any) -> Harness:
    return Harness(db, EngineSettings(**settings), notifier=notifier)


def test_webhook_gets_every_event_in_order(sqlite_database: Any, receiver: Receiver,
                                           notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(WF)
    hook = {"type": "webhook", "url": receiver.url, "headers": {"X-Token": "s3cret"}}
    wf = h.run("wf", notify=[hook])
    notifier.join()
    assert wf["state"] == "SUCCESS"
    assert receiver.events() == [
        ("WORKFLOW_LAUNCHED", "wf"),
        ("TASK_LAUNCHED", "t1"), ("TASK_SUCCEEDED", "t1"),
        ("TASK_LAUNCHED", "t2"), ("TASK_SUCCEEDED", "t2"),
        ("WORKFLOW_SUCCEEDED", "wf"),
    ]
    first, last = receiver.received[0], receiver.received[-1]
    assert first["id"] == wf["id"] and first["state"] == "RUNNING"
    assert last["state"] == "SUCCESS" and last["workflow_name"] == "wf"
    task_event = receiver.received[2]
    assert task_event["workflow_execution_id"] == wf["id"] and task_event["state"] == "SUCCESS"
    assert all(hd.get("X-Token") == "s3cret" for hd in receiver.headers)
    assert all(hd.get("Content-Type") == "application/json" for hd in receiver.headers)


def test_event_types_filter_and_config_defaults(sqlite_database: Any, receiver: Receiver,
                                                notifier: LocalNotifier) -> None:
    """``[notifier] notify`` applies to every execution; ``event_types`` filters."""
    default = {"type": "webhook", "url": receiver.url,
               "event_types": ["WORKFLOW_FAILED", "TASK_FAILED"]}
    h = _harness(sqlite_database, notifier, notify=(default,))
    h.define(WF)
    h.define(FAILING)
    assert h.run("wf")["state"] == "SUCCESS"
    bad = h.run("bad")
    notifier.join()
    assert bad["state"] == "ERROR"
    assert receiver.events() == [("TASK_FAILED", "t1"), ("WORKFLOW_FAILED", "bad")]
    assert receiver.received[-1]["state_info"] == bad["state_info"]


def test_pause_resume_cancel(sqlite_database: Any, receiver: Receiver,
                             notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define(WF)
    h.executor.hold = True
    wf_id = h.start("wf", notify=[{"type": "webhook", "url": receiver.url}])
    h.engine.pause_workflow(CTX, wf_id)
    h.engine.resume_workflow(CTX, wf_id)
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED", "enough")
    notifier.join()
    assert receiver.events() == [
        ("WORKFLOW_LAUNCHED", "wf"), ("TASK_LAUNCHED", "t1"),
        ("WORKFLOW_PAUSED", "wf"), ("WORKFLOW_RESUMED", "wf"),
        ("TASK_CANCELLED", "t1"), ("WORKFLOW_CANCELLED", "wf"),
    ]
    assert receiver.received[-1]["state_info"] == "enough"


def test_a_failing_webhook_never_fails_the_workflow(sqlite_database: Any,
                                                    notifier: LocalNotifier) -> None:
    failing = Receiver(status=500)
    try:
        h = _harness(sqlite_database, notifier)
        h.define(WF)
        hooks = [
            {"type": "webhook", "url": failing.url},
            {"type": "webhook", "url": "http://127.0.0.1:9/unreachable"},
            {"type": "no-such-publisher"},
            {"type": "noop"},
        ]
        wf = h.run("wf", notify=hooks)
        notifier.join()
        assert wf["state"] == "SUCCESS", wf["state_info"]
        assert len(failing.received) == 6  # it was called; its 500 was only logged
    finally:
        failing.close()


class _Checking:
    """A publisher (a fake of the port) that reads the database when it is called:
    what it was told about must already be committed."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.seen: list[tuple[str, str | None]] = []

    def publish(self, ctx: RequestContext, event: Event, config: Any) -> None:
        with self.db.transaction(CTX, readonly=True) as tx:
            if event.data.get("workflow_execution_id"):
                row = tx.task_executions.find(id=event.data["id"])
            else:
                row = tx.workflow_executions.find(id=event.data["id"])
            self.seen.append((event.event_type, row.state if row is not None else None))


def test_nothing_is_sent_before_commit(sqlite_database: Any) -> None:
    checking = _Checking(sqlite_database)
    notifier = LocalNotifier({**load_publishers(), "check": checking}, max_workers=1)
    try:
        h = _harness(sqlite_database, notifier)
        h.define(WF)
        with pytest.raises(Exception):  # noqa: B017 - refused start: rolled back
            h.start("wf", {"unexpected": 1}, notify=[{"type": "check"}])
        notifier.join()
        assert checking.seen == []
        wf = h.run("wf", notify=[{"type": "check"}])
        notifier.join()
    finally:
        notifier.stop()
    assert wf["state"] == "SUCCESS"
    # Each event was delivered after its transaction committed: the row existed.
    assert checking.seen and all(state is not None for _, state in checking.seen)
    assert checking.seen[-1] == ("WORKFLOW_SUCCEEDED", "SUCCESS")


def test_subworkflows_inherit_notify(sqlite_database: Any, receiver: Receiver,
                                     notifier: LocalNotifier) -> None:
    h = _harness(sqlite_database, notifier)
    h.define("""
version: '2.0'
parent:
  tasks:
    call:
      workflow: child
child:
  tasks:
    c1:
      action: std.noop
""")
    hook = {"type": "webhook", "url": receiver.url, "event_types": ["WORKFLOW_SUCCEEDED"]}
    wf = h.run("parent", notify=[hook])
    notifier.join()
    assert wf["state"] == "SUCCESS"
    assert sorted(receiver.events()) == [("WORKFLOW_SUCCEEDED", "child"),
                                         ("WORKFLOW_SUCCEEDED", "parent")]


def test_webhook_to_loopback_is_refused_by_default(sqlite_database: Any,
                                                  receiver: Receiver) -> None:
    default = LocalNotifier(load_publishers(), max_workers=1)
    try:
        h = _harness(sqlite_database, default)
        h.define(WF)
        wf = h.run("wf", notify=[{"type": "webhook", "url": receiver.url}])
        default.join()
    finally:
        default.stop()
    assert wf["state"] == "SUCCESS"
    assert receiver.received == []
