"""Ports the engine talks through; the composition root passes real adapters, tests fakes.

* ``Scheduler``: durable timers written inside the engine's transaction
  (``mistral.scheduler``); due jobs call the handler registered under a stable key
  (``DefaultEngine.timer_handlers()``); ``has_job(tx, key)`` tells whether a keyed
  timer still exists.
* ``Clock``: now, as naive UTC (a fake clock in tests).
* ``Trusts``: Keystone trusts of cron and event triggers (``mistral.services.trusts``):
  ``fresh(ctx)`` renews a trust-scoped token about to expire before an action is sent
  with it; ``release(trust_id, trigger_id)`` deletes a trigger's trust once the trigger is
  gone and none of its executions runs (called after an execution it started ends).
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from mistral.context import RequestContext


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


class Trusts(Protocol):
    def fresh(self, ctx: RequestContext) -> RequestContext: ...

    def release(self, trust_id: str | None, trigger_id: str | None) -> bool: ...


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
