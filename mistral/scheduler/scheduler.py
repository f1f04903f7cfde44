"""Durable timers in ``scheduled_jobs_v2``, run exactly once by whichever scheduler claims them.

Concurrency model
-----------------
* ``schedule(tx, handler_key, run_at, args, key=None)`` inserts a row in the *caller's*
  transaction: a timer decided by an engine event exists iff that event committed.
  ``key`` makes a timer unique (``"task.timeout:<id>"``): scheduling the same key again
  keeps the existing one unless ``replace=True``.
* Every scheduler loop (one per engine / periodic process) claims due rows in a short
  transaction: for each candidate, in id order, ``UPDATE ... SET captured_by=<me>,
  captured_at=<now> WHERE id=:id AND (captured_at IS NULL | captured_at < now - lease)``.
  The database re-checks that condition on the row's latest version under the row lock
  (PostgreSQL, InnoDB) or serialises writers (SQLite), so of two racing schedulers
  exactly one sees ``rowcount == 1``. Updating in id order means they never deadlock.
* A claimed job runs in its own transaction which first deletes the row ``WHERE
  captured_by=<me>`` and then calls the handler with that transaction. Handler effects
  and the job's removal commit together: a crash before commit leaves the claim to
  expire (``[scheduler] captured_job_timeout``) and another scheduler runs the job; a
  crash after commit leaves nothing to run. Each job's effects happen exactly once.
* A scheduler claims only jobs whose handler it has registered, so processes with
  different roles (engine timers, periodic cron) share the table without stealing.
* ``register_handler(key, fn, transactional=False)`` is for handlers that must open
  their own transactions (e.g. start a workflow through the engine): ``fn(ctx, args)``
  runs before the job is deleted, so it runs at least once and must be idempotent.
* Handlers are found by a stable key (``"task.retry"``), never by an import path.
  A handler raising a domain error (``MistralError`` other than ``DBError``) drops the job
  with a warning, unless it was registered with ``keep_on_error=True`` (a job that
  reschedules itself, like the expiration chain, whose loss would stop the chain): then,
  like any other failure, the job is released to run again after the lease period.
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mistral import exceptions as exc
from mistral.context import RequestContext, admin_context

if TYPE_CHECKING:
    from mistral.db.api import Database, Transaction

LOG = logging.getLogger(__name__)

Handler = Callable[["Transaction", dict], None]
PlainHandler = Callable[[RequestContext, dict], None]


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _naive_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    handler: str
    args: dict
    key: str | None
    ctx: RequestContext


class Scheduler:
    """Schedules durable jobs and, once started, runs the due ones (see module docstring)."""

    def __init__(
        self,
        db: Database,
        fixed_delay: float = 1.0,
        random_delay: float = 0.0,
        batch_size: int = 1000,
        captured_job_timeout: float = 30.0,
        name: str | None = None,
    ) -> None:
        self._db = db
        self.fixed_delay = fixed_delay
        self.random_delay = random_delay
        self.batch_size = batch_size
        self.lease = datetime.timedelta(seconds=captured_job_timeout)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._handlers: dict[str, Handler] = {}
        self._plain: set[str] = set()
        self._kept: set[str] = set()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- scheduling (inside the caller's transaction) -----------------------------------

    def register_handler(self, key: str, fn: Handler | PlainHandler, transactional: bool = True,
                         keep_on_error: bool = False) -> None:
        """``fn(tx, args)`` runs each due job with handler ``key`` inside the transaction
        that deletes the job; with ``transactional=False`` it is ``fn(ctx, args)``, outside.
        ``keep_on_error``: a domain error releases the job to run again instead of
        dropping it."""
        if key in self._handlers and self._handlers[key] is not fn:
            raise exc.ConfigError(f"A scheduler handler is already registered for {key!r}")
        self._handlers[key] = fn  # type: ignore[assignment]
        if not transactional:
            self._plain.add(key)
        if keep_on_error:
            self._kept.add(key)

    def schedule(
        self,
        tx: Transaction,
        handler_key: str,
        run_at: datetime.datetime | float,
        args: Mapping[str, Any] | None = None,
        key: str | None = None,
        replace: bool = False,
    ) -> str:
        """Add a job to ``tx``; ``run_at`` is a datetime (UTC) or a delay in seconds.

        Returns the job id (the existing job's id when ``key`` is taken and not replaced).
        """
        tx.require_writable("schedule a job")
        when = (
            utcnow() + datetime.timedelta(seconds=float(run_at))
            if isinstance(run_at, (int, float)) else _naive_utc(run_at)
        )
        values = {
            "handler": handler_key,
            "run_at": when,
            "args": dict(args or {}),
            "key": key,
            "auth_ctx": tx.ctx.to_dict(),
        }
        if key is not None:
            existing = tx.scheduled_jobs.find(key=key)
            if existing is not None:
                if not replace:
                    return existing.id
                tx.scheduled_jobs.delete(existing.id)
                tx.flush()
        try:
            with tx.savepoint():
                row = tx.scheduled_jobs.create(values)
        except exc.DuplicateEntryError:
            # another transaction scheduled the same key meanwhile
            existing = tx.scheduled_jobs.find(key=key) if key is not None else None
            if existing is None:
                raise
            return existing.id
        if when <= utcnow() + datetime.timedelta(seconds=self.fixed_delay):
            tx.after_commit(self._wake.set)
        return row.id

    def has_job(self, tx: Transaction, key: str) -> bool:
        """Whether the job with ``key`` is still to run (claimed or not)."""
        return tx.scheduled_jobs.find(key=key, fields=("id",)) is not None

    def unschedule(self, tx: Transaction, key: str) -> bool:
        """Remove the job with ``key``; True when there was one."""
        return tx.scheduled_jobs.delete_where(key=key) > 0

    # -- running ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mistral-scheduler", daemon=True)
        self._thread.start()
        LOG.info("Scheduler started [name=%s]", self.name)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        LOG.info("Scheduler stopped [name=%s]", self.name)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() >= self.batch_size
            except Exception:  # noqa: BLE001 - the loop must survive a DB outage
                LOG.exception("Scheduler iteration failed")
                busy = False
            if busy:
                continue
            delay = self.fixed_delay + random.uniform(0, self.random_delay)
            self._wake.wait(delay)
            self._wake.clear()

    def run_once(self) -> int:
        """Claim the due jobs (at most ``batch_size``) and run them; returns how many claimed."""
        jobs = self.claim()
        for job in jobs:
            if self._stop.is_set():
                break  # unclaimed work is picked up when our leases expire
            self._run(job)
        return len(jobs)

    def claim(self) -> list[ClaimedJob]:
        from mistral.db.filters import Filter

        now = utcnow()
        cutoff = now - self.lease
        claimed: list[ClaimedJob] = []
        mine = Filter("in", sorted(self._handlers))
        if not self._handlers:
            return claimed
        with self._db.transaction(admin_context()) as tx:
            repo = tx.scheduled_jobs
            due = repo.list(
                filters={"run_at": Filter("lte", now), "captured_at": None, "handler": mine},
                sort_keys=("run_at",), limit=self.batch_size,
            )
            room = self.batch_size - len(due)
            expired = repo.list(
                filters={"run_at": Filter("lte", now), "captured_at": Filter("lt", cutoff),
                         "handler": mine},
                sort_keys=("run_at",), limit=room,
            ) if room > 0 else []
            candidates = sorted(
                [(j.id, None) for j in due] + [(j.id, j.captured_by) for j in expired]
            )
            rows = {j.id: j for j in due + expired}
            unclaimed = {j.id for j in due}
            for job_id, previous in candidates:
                lease_cond = None if job_id in unclaimed else Filter("lt", cutoff)
                n = repo.update_where(
                    {"captured_by": self.name, "captured_at": now},
                    id=job_id, captured_at=lease_cond,
                )
                if n != 1:
                    continue
                if previous:
                    LOG.warning("Took over job %s from %s (lease expired)", job_id, previous)
                row = rows[job_id]
                claimed.append(ClaimedJob(
                    id=row.id, handler=row.handler, args=dict(row.args or {}), key=row.key,
                    ctx=RequestContext.from_dict(row.auth_ctx or {"is_admin": True}),
                ))
        return claimed

    def _run(self, job: ClaimedJob) -> None:
        handler = self._handlers.get(job.handler)
        if handler is None:
            LOG.error("No handler for job %s [handler=%s]; it waits for a scheduler that has one",
                      job.id, job.handler)
            self._release(job)
            return
        try:
            if job.handler in self._plain:
                handler(job.ctx, job.args)  # type: ignore[arg-type]
                self._drop(job)
                return
            with self._db.transaction(job.ctx) as tx:
                if tx.scheduled_jobs.delete_where(id=job.id, captured_by=self.name) != 1:
                    LOG.info("Job %s was taken over by another scheduler; skipped", job.id)
                    return
                handler(tx, job.args)
        except exc.MistralError as e:
            if isinstance(e, (exc.DBError, exc.ServiceUnavailableError)) or job.handler in self._kept:
                LOG.warning("Job %s [handler=%s] failed, will retry: %s", job.id, job.handler, e)
                self._release(job)
                return
            LOG.warning("Job %s [handler=%s] dropped: %s: %s", job.id, job.handler, type(e).__name__, e)
            self._drop(job)
        except Exception:  # noqa: BLE001 - a handler bug must not stop the loop
            LOG.exception("Job %s [handler=%s] failed, will retry", job.id, job.handler)
            self._release(job)

    def _release(self, job: ClaimedJob) -> None:
        """Give a claimed job back, due again after one lease period."""
        try:
            with self._db.transaction(admin_context()) as tx:
                tx.scheduled_jobs.update_where(
                    {"captured_by": None, "captured_at": None, "run_at": utcnow() + self.lease},
                    id=job.id, captured_by=self.name,
                )
        except exc.MistralError as e:
            LOG.warning("Cannot release job %s (its lease will expire): %s", job.id, e)

    def _drop(self, job: ClaimedJob) -> None:
        try:
            with self._db.transaction(admin_context()) as tx:
                tx.scheduled_jobs.delete_where(id=job.id, captured_by=self.name)
        except exc.MistralError as e:
            LOG.warning("Cannot drop job %s: %s", job.id, e)
