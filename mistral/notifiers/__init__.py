"""Execution notifications: events the engine emits, publishers that deliver them.

The engine queues events with ``tx.after_commit`` (nothing leaves before the commit);
a ``Notifier`` delivers them. ``LocalNotifier`` delivers from a bounded pool of
threads in the engine's process; a publisher that fails is logged and never fails a
workflow. Publishers are stevedore entry points (group
``mistral.notification.publishers``: ``webhook``, ``noop``), resolved once at start.

Which publishers an execution uses: the ``[notifier] notify`` defaults plus the
execution's own ``params["notify"]`` list, each entry like Mistral's
``{"type": "webhook", "url": ..., "headers": {...}, "event_types": [...]}``
(no or an empty ``event_types``: every event).

Event types are Mistral 23's: ``WORKFLOW_LAUNCHED/SUCCEEDED/FAILED/CANCELLED/PAUSED/
RESUMED/RERUN`` and ``TASK_LAUNCHED/SUCCEEDED/FAILED/CANCELLED/PAUSED/RESUMED/RERUN/SKIPPED``.
Tasks here never sit in a PAUSED state, so ``TASK_PAUSED`` is sent when a task is held
(its ``pause-before``, or its action execution set to PAUSED) and ``TASK_RESUMED`` when
it goes on (started after the resume, or its action RUNNING again); a task held by
``pause-before`` gets ``TASK_RESUMED`` instead of ``TASK_LAUNCHED``, as in Mistral.
``[notifier] type = remote`` sends the events over RPC to ``--server notifier``
(``mistral.rpc.NotifierClient``), which delivers them with a ``LocalNotifier``.
"""

from __future__ import annotations

from mistral.notifiers.base import (
    EVENT_TYPES,
    Event,
    Notifier,
    Publisher,
    TASK_CANCELLED,
    TASK_FAILED,
    TASK_LAUNCHED,
    TASK_PAUSED,
    TASK_RERUN,
    TASK_RESUMED,
    TASK_SKIPPED,
    TASK_SUCCEEDED,
    WORKFLOW_CANCELLED,
    WORKFLOW_FAILED,
    WORKFLOW_LAUNCHED,
    WORKFLOW_PAUSED,
    WORKFLOW_RERUN,
    WORKFLOW_RESUMED,
    WORKFLOW_SUCCEEDED,
)

__all__ = [
    "EVENT_TYPES", "Event", "Notifier", "Publisher",
    "TASK_CANCELLED", "TASK_FAILED", "TASK_LAUNCHED", "TASK_PAUSED", "TASK_RERUN", "TASK_RESUMED",
    "TASK_SKIPPED", "TASK_SUCCEEDED", "WORKFLOW_CANCELLED", "WORKFLOW_FAILED", "WORKFLOW_LAUNCHED",
    "WORKFLOW_PAUSED", "WORKFLOW_RERUN", "WORKFLOW_RESUMED", "WORKFLOW_SUCCEEDED",
]
