"""Event types, the ``Event`` payload, and the ``Publisher`` / ``Notifier`` Protocols."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from mistral.context import RequestContext

WORKFLOW_LAUNCHED = "WORKFLOW_LAUNCHED"
WORKFLOW_SUCCEEDED = "WORKFLOW_SUCCEEDED"
WORKFLOW_FAILED = "WORKFLOW_FAILED"
WORKFLOW_CANCELLED = "WORKFLOW_CANCELLED"
WORKFLOW_PAUSED = "WORKFLOW_PAUSED"
WORKFLOW_RESUMED = "WORKFLOW_RESUMED"
WORKFLOW_RERUN = "WORKFLOW_RERUN"
TASK_LAUNCHED = "TASK_LAUNCHED"
TASK_SUCCEEDED = "TASK_SUCCEEDED"
TASK_FAILED = "TASK_FAILED"
TASK_CANCELLED = "TASK_CANCELLED"
TASK_PAUSED = "TASK_PAUSED"
TASK_RESUMED = "TASK_RESUMED"
TASK_RERUN = "TASK_RERUN"
TASK_SKIPPED = "TASK_SKIPPED"

EVENT_TYPES = frozenset({
    WORKFLOW_LAUNCHED, WORKFLOW_SUCCEEDED, WORKFLOW_FAILED, WORKFLOW_CANCELLED,
    WORKFLOW_PAUSED, WORKFLOW_RESUMED, WORKFLOW_RERUN, TASK_LAUNCHED, TASK_SUCCEEDED,
    TASK_FAILED, TASK_CANCELLED, TASK_PAUSED, TASK_RESUMED, TASK_RERUN, TASK_SKIPPED,
})


@dataclass(frozen=True)
class Event:
    """One state change of a workflow or task execution, with the publishers to tell.

    ``data`` is what a webhook receives: the execution's summary fields plus ``event``.
    """

    event_type: str
    data: Mapping[str, Any]
    publishers: Sequence[Mapping[str, Any]] = field(default_factory=tuple)

    def wants(self, publisher: Mapping[str, Any]) -> bool:
        types = publisher.get("event_types") or ()
        return not types or self.event_type in types


class Publisher(Protocol):
    """Delivers one event to one target; ``config`` is the publisher's notify entry."""

    def publish(self, ctx: RequestContext, event: Event, config: Mapping[str, Any]) -> None: ...


class Notifier(Protocol):
    """Takes events after the engine committed them; never raises into the engine."""

    def notify(self, ctx: RequestContext, events: Sequence[Event]) -> None: ...
