"""Execution expiration: finished root executions are deleted, as Mistral's policy does.

``[execution_expiration_policy]`` (``ExpirationPolicy.from_options``):

* ``evaluation_interval`` (minutes; unset: off) — how often the policy runs;
* ``older_than`` (minutes) — a finished root execution last updated longer ago than this
  is deleted;
* ``max_finished_executions`` — beyond the newest this many finished root executions,
  the older ones are deleted even if they are not expired;
* ``batch_size`` — executions deleted per transaction (0: all in one);
* ``ignored_states`` — finished states never deleted (``SUCCESS``/``ERROR``/``CANCELLED``).

The policy is a chain of jobs on the durable scheduler (handler ``executions.expire``,
key ``executions.expire``: one chain however many engines run it). Each job deletes one
batch in the transaction that deletes the job, and schedules the next job in that same
transaction: at once while a batch was full, else ``evaluation_interval`` later. A crash
loses nothing and deletes nothing twice.

Only root executions (no parent task) in SUCCESS/ERROR/CANCELLED are candidates; a
subworkflow goes with its root, so a subworkflow of a running parent is never touched.
Each candidate is locked and its state re-checked before anything is deleted (a rerun
that made it RUNNING meanwhile keeps it); its tasks and action executions go through
``ON DELETE CASCADE``, its subworkflows by ``root_execution_id``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mistral import exceptions as exc
from mistral.context import admin_context
from mistral.db.filters import Filter
from mistral.scheduler import Scheduler
from mistral.workflow import states

LOG = logging.getLogger(__name__)

HANDLER = "executions.expire"
FINISHED = (states.SUCCESS, states.ERROR, states.CANCELLED)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class ExpirationPolicy:
    evaluation_interval: int | None = None
    older_than: int | None = None
    max_finished_executions: int = 0
    batch_size: int = 0
    ignored_states: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, group: Any) -> "ExpirationPolicy":
        """From ``[execution_expiration_policy]`` (any object with its option names)."""
        ignored = tuple(group.ignored_states or ())
        bad = [s for s in ignored if s not in FINISHED]
        if bad:
            raise exc.ConfigError(
                f"[execution_expiration_policy] ignored_states: {', '.join(bad)} is not a "
                f"finished state; valid states are {', '.join(FINISHED)}")
        return cls(
            evaluation_interval=group.evaluation_interval,
            older_than=group.older_than,
            max_finished_executions=int(group.max_finished_executions or 0),
            batch_size=int(group.batch_size or 0),
            ignored_states=ignored,
        )

    @property
    def enabled(self) -> bool:
        """Mistral's rule: an interval, and an age or a count to keep."""
        return bool(self.evaluation_interval) and bool(
            (self.older_than or 0) >= 1 or self.max_finished_executions >= 1)


class ExecutionExpiration:
    """Runs ``policy`` on ``scheduler``; ``clock`` is the time expiry is measured against."""

    def __init__(
        self,
        db: Any,
        scheduler: Scheduler,
        policy: ExpirationPolicy,
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        self._db = db
        self._scheduler = scheduler
        self.policy = policy
        self._clock = clock
        # the chain reschedules itself: a failed pass is tried again, never dropped
        scheduler.register_handler(HANDLER, self._job, keep_on_error=True)

    def start(self) -> None:
        """Seed the chain (kept if another engine already did)."""
        with self._db.transaction(admin_context()) as tx:
            self._scheduler.schedule(tx, HANDLER, 0, {}, key=HANDLER)
        LOG.info("Execution expiration: every %s min, older_than=%s min, "
                 "max_finished_executions=%s, batch_size=%s, ignored_states=%s",
                 self.policy.evaluation_interval, self.policy.older_than,
                 self.policy.max_finished_executions, self.policy.batch_size,
                 ",".join(self.policy.ignored_states) or "-")

    def _job(self, tx: Any, args: dict) -> None:
        deleted = self.delete_batch(tx)
        full = self.policy.batch_size > 0 and deleted >= self.policy.batch_size
        delay = 0.0 if full else float(self.policy.evaluation_interval or 1) * 60
        self._scheduler.schedule(tx, HANDLER, delay, {}, key=HANDLER)

    def delete_batch(self, tx: Any) -> int:
        """Delete at most ``batch_size`` (0: all) due root executions in ``tx``; how many."""
        limit = self.policy.batch_size or None
        ids = self._expired(tx, limit)
        if limit is None or len(ids) < limit:
            ids += [i for i in self._superfluous(tx, None if limit is None else limit - len(ids))
                    if i not in ids]
        deleted = 0
        for wf_ex_id in ids:
            deleted += self._delete(tx, wf_ex_id)
        if deleted:
            LOG.info("Execution expiration: deleted %d finished root execution(s)", deleted)
        return deleted

    def _candidates(self) -> dict:
        return {
            "task_execution_id": None,
            "state": Filter("in", [s for s in FINISHED if s not in self.policy.ignored_states]),
        }

    def _expired(self, tx: Any, limit: int | None) -> list[str]:
        if not self.policy.older_than:
            return []
        cutoff = self._clock() - datetime.timedelta(minutes=self.policy.older_than)
        rows = tx.workflow_executions.list(
            filters={**self._candidates(), "updated_at": Filter("lt", cutoff)},
            sort_keys=("updated_at",), limit=limit, fields=("id",),
        )
        return [r.id for r in rows]

    def _superfluous(self, tx: Any, limit: int | None) -> list[str]:
        keep = self.policy.max_finished_executions
        if keep < 1:
            return []
        rows = tx.workflow_executions.list(
            filters=self._candidates(), sort_keys=("updated_at",), sort_dirs=("desc",),
            limit=None if limit is None else keep + limit, fields=("id",),
        )
        return [r.id for r in rows[keep:]]

    def _delete(self, tx: Any, wf_ex_id: str) -> int:
        try:
            row = tx.workflow_executions.lock(wf_ex_id, fields=("id", "state", "task_execution_id"))
        except exc.NotFoundError:
            return 0
        if row.state not in FINISHED or row.state in self.policy.ignored_states or row.task_execution_id:
            return 0  # rerun (or changed) since it was listed
        tx.workflow_executions.delete_where(root_execution_id=wf_ex_id)
        return tx.workflow_executions.delete_where(id=wf_ex_id)
