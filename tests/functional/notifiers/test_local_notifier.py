"""``LocalNotifier``: bounded, never blocks the caller, survives failing publishers."""

from __future__ import annotations

import threading
from typing import Any

from mistral.context import RequestContext
from mistral.notifiers.base import Event
from mistral.notifiers.local import LocalNotifier

CTX = RequestContext()
WAIT = 10


class Gate:
    """A publisher (a fake of the port) that holds its first delivery until released."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.got: list[str] = []

    def publish(self, ctx: RequestContext, event: Event, config: Any) -> None:
        self.started.set()
        assert self.release.wait(WAIT)
        self.got.append(event.data["id"])


class Boom:
    def publish(self, ctx: RequestContext, event: Event, config: Any) -> None:
        raise RuntimeError("publisher broke")


def _event(i: int, event_type: str = "WORKFLOW_LAUNCHED", **config: Any) -> Event:
    return Event(event_type, {"id": f"ex{i}", "root_execution_id": None},
                 ({"type": "gate", **config},))


def test_a_full_queue_drops_instead_of_blocking() -> None:
    gate = Gate()
    n = LocalNotifier({"gate": gate}, max_workers=1, queue_size=2)
    try:
        n.notify(CTX, [_event(0)])
        assert gate.started.wait(WAIT)  # the worker holds event 0
        n.notify(CTX, [_event(i) for i in range(1, 5)])  # returns at once
        assert n.dropped == 2
        gate.release.set()
        n.join()
    finally:
        n.stop()
    assert gate.got == ["ex0", "ex1", "ex2"]


def test_event_types_and_failing_publishers() -> None:
    gate = Gate()
    gate.release.set()
    n = LocalNotifier({"gate": gate, "boom": Boom()}, max_workers=2)
    try:
        n.notify(CTX, [
            _event(1, event_types=["TASK_FAILED"]),            # filtered out
            _event(2, "TASK_FAILED", event_types=["TASK_FAILED"]),
            Event("WORKFLOW_FAILED", {"id": "ex3"}, ({"type": "boom"}, {"type": "gate"})),
        ])
        n.join()
    finally:
        n.stop()
    assert sorted(gate.got) == ["ex2", "ex3"]
