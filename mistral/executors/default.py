"""The default executor: runs actions in a bounded thread pool and reports back.

Used behind the executor RPC server (``[executor] type = remote``) and directly inside
the engine process (``type = local``, see ``LocalExecutor``); the code is the same.

* ``run_action`` builds the action from the registry (a dynamic action from the code
  source its request carries), then queues it on a pool of
  ``max_workers`` threads. Errors of any kind become ``ActionResult(error=...)``: they
  travel as values, never as exceptions.
* Sync *requests* (``request.is_sync``: the caller waits, e.g. ``run-action`` with
  ``run_sync``) return the result and do not call the engine. Other requests return
  None and deliver the result with ``Engine.on_action_complete`` (results that finish
  together go in one ``on_actions_complete`` call) — for async *actions*
  (``action.is_sync()`` False, such as ``std.async_noop``) only when they fail; their
  result comes later through the API.
* The executor takes only what it can run now: a request waits (in the RPC handler
  thread that delivered it, so the broker keeps the rest) until one of ``max_workers``
  slots is free; then the executor *claims* the action execution from the engine
  (``Engine.claim_actions``, which grants only the first claim of each send; actions that
  got a slot at once are claimed together, ``mistral.utils.groupcommit``) and starts
  it. A duplicated or re-sent request whose claim is refused is dropped, so an action
  runs once.
* Every ``heartbeat_interval`` seconds the running actions are reported with
  ``Engine.report_running_actions`` (with this executor's ``host``) and the ones waiting
  for a slot with ``queued=True``: the engine neither takes a queued action for lost
  nor a stalled executor's queue for running. Heartbeats come from a dedicated thread
  that never runs actions nor waits for an engine: a full action pool or a slow engine
  cannot starve them.
* ``cancel_action`` stops an action running or waiting here (``Action.cancel()``); its
  result, if any, is not reported (the engine has already cancelled it).
* ``request.timeout`` is honoured: at the deadline the action is cancelled and the
  engine gets an error result; a late result is dropped.
"""

from __future__ import annotations

import heapq
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mistral import exceptions as exc
from mistral.actions import dynamic
from mistral.actions.base import Action, ActionContext, raised_error
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext, admin_context
from mistral.engine.interface import ActionResult, Engine, RunActionRequest
from mistral.utils import logcontext
from mistral.utils.groupcommit import GroupCommit

LOG = logging.getLogger(__name__)

DELIVERY_DEADLINE = 300.0  # seconds to keep re-sending a result the engine did not take


@dataclass(eq=False)
class _Job:
    ctx: RequestContext
    request: RunActionRequest
    action: Action | None = None
    deadline: float | None = None
    done: bool = False
    abandoned: bool = False
    started: bool = False  # claimed (or sync) and handed to the pool
    cancelled: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def settle(self) -> bool:
        """Mark the job finished; True only for the first caller (result or timeout)."""
        with self.lock:
            if self.done:
                return False
            self.done = True
            return True


def build_action(registry: ActionRegistry, request: RunActionRequest) -> Action:
    """The action a request asks for: a registered class, or the class of the code source
    a dynamic action's request carries (imported once per checksum, see
    ``mistral.actions.dynamic``)."""
    if request.dynamic:
        return dynamic.build(request.action_name, dynamic.DynamicRef.from_dict(request.dynamic),
                             request.action_input, registry.settings)
    return registry.build(request.action_name, request.action_input)


def _timeout_message(request: RunActionRequest) -> str:
    return f"Action {request.action_name} timed out after {request.timeout} seconds"


def _as_result(value: Any) -> ActionResult:
    return value if isinstance(value, ActionResult) else ActionResult(data=value)


class DefaultExecutor:
    """Implements the ``Executor`` Protocol with a bounded pool, heartbeats and timeouts."""

    def __init__(
        self,
        registry: ActionRegistry,
        engine: Engine | None = None,
        max_workers: int = 16,
        heartbeat_interval: float = 2.0,
        host: str = "",
        wait_for_slot: bool = True,
    ) -> None:
        self._registry = registry
        self._wait_for_slot = wait_for_slot
        self._engine = engine
        self._host = host
        self._heartbeat_interval = heartbeat_interval
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="mistral-action")
        self._max_workers = max(1, int(max_workers))
        #: this process's claims (a restarted executor with the same host is another one)
        self._claim_id = f"{host or socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._jobs: dict[str, _Job] = {}       # holding a slot (claiming or running)
        self._waiting: dict[str, _Job] = {}    # waiting for a free slot
        self._deadlines: list[tuple[float, int, _Job]] = []
        self._cond = threading.Condition()
        self._seq = 0
        self._stopping = False
        self._new_ids: list[str] = []
        self._monitor: threading.Thread | None = None
        # actions that got a slot at once are claimed in one call (one transaction)
        self._claims = GroupCommit(self._claim_batch, self._claim_one,
                                   shared=(exc.ServiceUnavailableError, exc.DBError))
        # results that finished together go to the engine in one call (one round trip);
        # if that call fails, each is delivered alone (the engine ignores a duplicate)
        self._results = GroupCommit(self._deliver_batch, self._deliver_one,
                                    shared=(exc.ServiceUnavailableError, exc.DBError))

    # -- lifecycle ---------------------------------------------------------------------

    def attach_engine(self, engine: Engine) -> None:
        """Give the executor its engine (the local engine or an ``EngineClient``)."""
        self._engine = engine

    def start(self) -> None:
        if self._monitor is not None:
            return
        self._monitor = threading.Thread(target=self._monitor_loop, name="mistral-executor-monitor", daemon=True)
        self._monitor.start()
        LOG.info("Executor started [host=%s]", self._host)

    def stop(self, grace: float = 5.0) -> None:
        """Stop accepting work, let running actions finish for ``grace`` seconds, cancel the rest.

        Actions cancelled here report nothing: the engine sees their heartbeats stop and
        applies its dead-executor rules (re-run when safe, else fail).
        """
        with self._cond:
            self._stopping = True
            self._waiting.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + grace
        while self.running_ids() and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._cond:
            left = list(self._jobs.values())
        for job in left:
            job.abandoned = True
            if job.action is not None:
                job.action.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._cond:
            self._jobs.clear()
            self._deadlines.clear()
            self._cond.notify_all()
        if self._monitor is not None:
            self._monitor.join(5)
            self._monitor = None
        LOG.info("Executor stopped [host=%s, abandoned=%d]", self._host, len(left))

    def running_ids(self) -> list[str]:
        with self._cond:
            return list(self._jobs)

    # -- the Executor Protocol -----------------------------------------------------------

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        job = _Job(ctx=ctx, request=request)
        if self._stopping:
            return self._refuse(job, "the executor is shutting down")
        if not request.is_sync and self._holds(request.action_ex_id):
            # a re-sent request for an action already here: it runs once (and is heartbeated)
            LOG.info("Duplicate request for action %s ignored", request.action_ex_id)
            return None
        try:
            job.action = build_action(self._registry, request)
        except exc.MistralError as e:
            return self._finish(job, ActionResult(error=str(e)))
        if not self._take_slot(job):
            return self._refuse(job, "the executor is shutting down or the action was cancelled")
        future = self._accept(job)
        if future is None:
            return self._refuse(job, "the executor is shutting down")
        if not request.is_sync:
            return None
        try:
            result = future.result(timeout=request.timeout or None)
        except FutureTimeout:
            result = None
        except CancelledError:
            return ActionResult(error="Executor unavailable: the executor is shutting down")
        if result is None:
            return ActionResult(error=_timeout_message(request))
        return result

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        with self._cond:
            job = self._jobs.get(action_ex_id) or self._waiting.pop(action_ex_id, None)
            if job is None:
                return
            job.cancelled = True
            self._cond.notify_all()
        LOG.info("Cancelling action %s [host=%s]", action_ex_id, self._host)
        if job.action is not None and job.started:
            job.action.cancel()

    def queued_ids(self) -> list[str]:
        """Actions held here that have not started (waiting for a slot or a claim)."""
        with self._cond:
            return sorted([*self._waiting, *(i for i, j in self._jobs.items() if not j.started)])

    # -- internals ---------------------------------------------------------------------

    def _holds(self, action_ex_id: str) -> bool:
        with self._cond:
            return action_ex_id in self._jobs or action_ex_id in self._waiting

    def _take_slot(self, job: _Job) -> bool:
        """Wait until fewer than ``max_workers`` jobs hold a slot, then take one (without
        ``wait_for_slot``, as in the engine's own process, the job queues in the pool)."""
        key = job.request.action_ex_id or f"sync-{id(job)}"
        with self._cond:
            self._waiting[key] = job
            while self._wait_for_slot and len(self._jobs) >= self._max_workers \
                    and not self._stopping and not job.cancelled:
                self._cond.wait(1.0)
            if self._waiting.get(key) is job:
                del self._waiting[key]
            if self._stopping or job.cancelled:
                return False
            if job.request.action_ex_id:
                self._jobs[job.request.action_ex_id] = job
            return True

    def _claim(self, job: _Job) -> bool:
        """Ask the engine whether this process may start the action; retried while the
        engine cannot answer (the job keeps its slot and is heartbeated as queued)."""
        if self._engine is None:
            return True
        attempt = 0
        key = f"{job.ctx.project_id}:{job.ctx.is_admin}"  # a claim acts as the owner
        while not (self._stopping or job.cancelled):
            attempt += 1
            try:
                granted = self._claims.submit(job.ctx, key, job.request.action_ex_id)
            except (exc.ServiceUnavailableError, exc.DBError) as e:
                LOG.warning("Cannot claim action %s (attempt %d): %s",
                            job.request.action_ex_id, attempt, e)
                time.sleep(min(0.25 * 2 ** attempt, 5.0))
                continue
            except exc.MistralError as e:
                LOG.info("Claim of action %s refused: %s", job.request.action_ex_id, e)
                return False
            if not granted:
                LOG.info("Action %s is taken or finished elsewhere; request dropped",
                         job.request.action_ex_id)
            return bool(granted)
        return False

    def _claim_batch(self, ctx: RequestContext, key: str, ids: Sequence[str]) -> list[bool]:
        assert self._engine is not None
        granted = set(self._engine.claim_actions(ctx, list(ids), self._host, self._claim_id))
        return [i in granted for i in ids]

    def _claim_one(self, ctx: RequestContext, key: str, action_ex_id: str) -> bool:
        return self._claim_batch(ctx, key, [action_ex_id])[0]

    def _deliver_batch(self, ctx: RequestContext, key: str,
                       items: Sequence[tuple[str, ActionResult]]) -> list[None]:
        assert self._engine is not None
        self._engine.on_actions_complete(ctx, [i for i, _ in items], [r for _, r in items])
        return [None] * len(items)

    def _deliver_one(self, ctx: RequestContext, key: str, item: tuple[str, ActionResult]) -> None:
        assert self._engine is not None
        self._engine.on_action_complete(ctx, item[0], item[1])

    def _refuse(self, job: _Job, why: str) -> ActionResult | None:
        LOG.warning("Refused action %s: %s", job.request.action_ex_id, why)
        if job.request.is_sync:
            return ActionResult(error=f"Executor unavailable: {why}")
        return None  # no heartbeat will come: the engine re-runs or fails it

    def _accept(self, job: _Job) -> Future | None:
        timeout = job.request.timeout
        with self._cond:
            if self._stopping:
                return None
            if job.request.action_ex_id:
                self._jobs[job.request.action_ex_id] = job
                if job.request.is_sync and self._heartbeat_interval > 0:
                    # a claimed action was acknowledged by its claim; a sync one now
                    self._new_ids.append(job.request.action_ex_id)
                    self._cond.notify_all()
            if timeout and timeout > 0:
                job.deadline = time.monotonic() + float(timeout)
                self._seq += 1
                heapq.heappush(self._deadlines, (job.deadline, self._seq, job))
                self._cond.notify_all()
        try:
            return self._pool.submit(self._run, job)
        except RuntimeError:  # pool shut down meanwhile
            self._forget(job)
            return None

    def _run(self, job: _Job) -> ActionResult | None:
        with logcontext.bound(job.ctx):  # the lines of this action carry its request id
            return self._run_bound(job)

    def _run_bound(self, job: _Job) -> ActionResult | None:
        assert job.action is not None
        request = job.request
        if not request.is_sync and not self._claim(job):
            job.settle()  # no timeout report either: it is not ours to run
            self._forget(job)
            return None
        with self._cond:
            cancelled = job.cancelled
            job.started = not cancelled
        if cancelled:
            job.settle()
            self._forget(job)
            return None
        LOG.info(
            "Running action [name=%s, action_ex_id=%s, host=%s]",
            request.action_name, request.action_ex_id, self._host,
        )
        actx = ActionContext.build(job.ctx, request.action_ex_id, dict(request.execution_context or {}),
                                   deadline=job.deadline)
        try:
            result = _as_result(job.action.run(actx))
        except Exception as e:  # noqa: BLE001 - an action's bug is its error, not ours
            if not isinstance(e, exc.MistralError):
                LOG.info("Action %s raised", request.action_name, exc_info=True)
            result = ActionResult(error=raised_error(job.action, request.action_ex_id, e))
        if not job.settle():
            LOG.info("Late result of action %s dropped (timed out)", request.action_ex_id)
            self._forget(job)
            return None
        if job.abandoned or job.cancelled:
            self._forget(job)  # the engine cancelled it: nothing to report
            return None
        return self._finish(job, result)

    def _finish(self, job: _Job, result: ActionResult) -> ActionResult | None:
        """Return the result to a sync caller or deliver it to the engine; then forget the job."""
        request = job.request
        try:
            if request.is_sync:
                return result
            is_async_action = job.action is not None and not job.action.is_sync()
            if is_async_action and not result.is_error():
                return None
            self._deliver(job.ctx, request.action_ex_id, result)
            return None
        finally:
            self._forget(job)

    def _deliver(self, ctx: RequestContext, action_ex_id: str, result: ActionResult) -> None:
        """Hand the result to the engine, re-sending while the engine is unreachable.

        The job stays in the heartbeats until this returns, so an engine that restarts
        meanwhile still sees the action alive and gets its result.
        """
        if self._engine is None:
            LOG.error("No engine attached; result of %s dropped", action_ex_id)
            return
        deadline = time.monotonic() + DELIVERY_DEADLINE
        attempt = 0
        key = f"{ctx.project_id}:{ctx.is_admin}"
        while True:
            attempt += 1
            try:
                self._results.submit(ctx, key, (action_ex_id, result))
                return
            except (exc.ServiceUnavailableError, exc.DBError) as e:  # transient: send again
                LOG.warning("Cannot deliver result of %s (attempt %d): %s", action_ex_id, attempt, e)
            except exc.MistralError as e:  # the engine refused it: nothing to retry
                LOG.warning("Engine refused result of %s: %s", action_ex_id, e)
                return
            except Exception:  # noqa: BLE001 - a local engine's bug: log it, keep the pool alive
                LOG.exception("Engine failed on the result of %s", action_ex_id)
                return
            if self._stopping or time.monotonic() > deadline:
                LOG.error("Gave up delivering result of %s; the engine's heartbeat check will act",
                          action_ex_id)
                return
            time.sleep(min(0.25 * 2 ** attempt, 5.0))

    def _forget(self, job: _Job) -> None:
        with self._cond:
            if self._jobs.get(job.request.action_ex_id) is job:
                del self._jobs[job.request.action_ex_id]
            self._cond.notify_all()  # a slot is free

    def _monitor_loop(self) -> None:
        """Heartbeats and deadlines, on their own thread.

        A newly accepted action is acknowledged at once (only the new ids, coalesced
        while the previous report is in flight); every ``heartbeat_interval`` all
        accepted ids are reported. The thread only casts: expired actions are
        reported from short-lived threads, so a slow engine never delays a heartbeat.
        """
        beat = self._heartbeat_interval
        next_beat = time.monotonic() + beat
        while True:
            with self._cond:
                if self._stopping and not self._jobs:
                    return
                now = time.monotonic()
                wake = next_beat if beat > 0 else now + 1.0
                if self._deadlines:
                    wake = min(wake, self._deadlines[0][0])
                if wake > now and not (beat > 0 and self._new_ids):
                    self._cond.wait(min(wake - now, 1.0))
                    continue
                expired = []
                while self._deadlines and self._deadlines[0][0] <= now:
                    expired.append(heapq.heappop(self._deadlines)[2])
                full = beat > 0 and now >= next_beat
                if full:
                    ids = sorted(i for i, j in self._jobs.items() if j.started)
                    queued = sorted([*self._waiting,
                                     *(i for i, j in self._jobs.items() if not j.started)])
                else:
                    ids, queued = sorted(set(self._new_ids) & self._jobs.keys()), []
                self._new_ids.clear()
            for job in expired:
                threading.Thread(target=self._expire, args=(job,), daemon=True,
                                 name="mistral-executor-expire").start()
            if full:
                next_beat = now + beat
            if beat > 0:
                self._heartbeat(ids)
                self._heartbeat(queued, queued=True)

    def _expire(self, job: _Job) -> None:
        if not job.settle():
            return
        if job.action is not None:
            job.action.cancel()
        LOG.info("Action %s timed out after %s s", job.request.action_ex_id, job.request.timeout)
        if not job.request.is_sync:
            self._finish(job, ActionResult(error=_timeout_message(job.request)))
        else:
            self._forget(job)

    def _heartbeat(self, ids: list[str], queued: bool = False) -> None:
        if not ids or self._engine is None:
            return
        try:
            extra = {"queued": True} if queued else {}
            self._engine.report_running_actions(admin_context(), ids, host=self._host or None,
                                                **extra)
        except exc.MistralError as e:
            LOG.warning("Heartbeat for %d actions failed: %s", len(ids), e)
        except Exception:  # noqa: BLE001 - the monitor thread must survive anything
            LOG.exception("Heartbeat failed")
