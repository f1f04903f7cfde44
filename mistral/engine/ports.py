"""Ports the engine talks through; the composition root passes real adapters, tests fakes.

* ``Scheduler``: durable timers written inside the engine's transaction
  (``mistral.scheduler``); due jobs call the handler registered under a stable key
  (``DefaultEngine.timer_handlers()``); ``has_job(tx, key)`` tells whether a keyed
  timer still exists.
* ``Clock``: now, as naive UTC (a fake clock in tests).
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol


class Scheduler(Protocol):
    def schedule(
        self,
        tx: Any,
        handler_key: str,
        run_at: datetime.datetime,
        args: dict,
        key: str | None = None,
    ) -> Any: ...

    def has_job(self, tx: Any, key: str) -> bool:
        """Whether a job with ``key`` is still to run (the reconciler's check of a timer)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime.datetime: ...


class SystemClock:
    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# Stable handler keys of the engine's timers (never Python import paths).
TASK_START = "task.start"          # wait-before elapsed
TASK_RETRY = "task.retry"          # retry delay elapsed
TASK_COMPLETE = "task.complete"    # wait-after elapsed
TASK_TIMEOUT = "task.timeout"      # timeout reached
WORKFLOW_TIMEOUT = "workflow.timeout"  # a workflow's own timeout reached
