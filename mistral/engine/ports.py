"""Ports the engine talks through; the composition root passes real adapters, tests fakes.

* ``Scheduler``: durable timers written inside the engine's transaction
  (``mistral.scheduler``); due jobs call the handler registered under a stable key
  (``DefaultEngine.timer_handlers()``).
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
