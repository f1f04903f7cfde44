"""``DefaultEngine``: the local ``Engine``; the only writer of runtime state.

Every public call is one unit of work: open a transaction, lock the workflow execution
row, load what the event needs, decide (the pure controller), apply, commit; sends to
the executor and notifications run after the commit (see ``mistral.engine.work``).
The action side (results, claims, heartbeats, standalone actions) is the
``mistral.engine.action_events.ActionEvents`` mixin.

Composition (``mistral/cmd``)::

    engine = DefaultEngine(db, executor, scheduler, EngineSettings.from_conf(CONF))
    for key, handler in engine.timer_handlers().items():
        scheduler.register_handler(key, handler)
    engine.start()          # the periodic reconciler (mistral.engine.recovery)
    ...
    engine.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from mistral import exceptions as exc
from mistral import expressions
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext, owner_context
from mistral.db import names
from mistral.engine import (
    executions, recovery, rerun, reverts, specs, tasks, timers, workflows,
)
from mistral.engine.action_events import ActionEvents
from mistral.engine.interface import Executor
from mistral.engine.ports import (
    TASK_COMPLETE, TASK_RETRY, TASK_START, TASK_TIMEOUT, WORKFLOW_TIMEOUT, Clock, Scheduler,
    SystemClock, Trusts,
)
from mistral.engine.settings import EngineSettings
from mistral.utils.groupcommit import GroupCommit
from mistral.engine.work import Services, Work
from mistral.notifiers.base import Notifier
from mistral.workflow import states

LOG = logging.getLogger(__name__)
DEADLOCK_ATTEMPTS = 3


def _as_dict(row: Any) -> dict:
    return row.to_dict()


class DefaultEngine(ActionEvents):
    def __init__(
        self,
        db: Any,
        executor: Executor | None,
        scheduler: Scheduler,
        settings: EngineSettings | None = None,
        *,
        registry: ActionRegistry | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        trusts: Trusts | None = None,
    ) -> None:
        self._db = db
        self.settings = settings or EngineSettings()
        self.services = Services(
            executor=executor,  # type: ignore[arg-type]  # attach_executor() may set it later
            scheduler=scheduler,
            registry=registry or ActionRegistry.load(),
            settings=self.settings,
            clock=clock or SystemClock(),
            on_child_finished=self.on_subworkflow_finished,
            propagate=self._propagate,
            notifier=notifier,
            trusts=trusts,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: seconds of heartbeats this process received but has not applied yet (the
        #: composition root plugs in the RPC server's heartbeat queue)
        self.heartbeat_backlog: Callable[[], float] = lambda: 0.0
        # called with the number of repairs of each reconciler pass (metrics)
        self.on_repairs: Callable[[int], None] = lambda repaired: None
        self._stalled = 0.0  # how late the reconciler's last wake-up was
        # the YAQL parser tables now, not in the first event's transaction
        expressions.validate("<% $ %>", self.settings.expressions)
        self._results = GroupCommit(self._apply_results, self._apply_result,
                                    shared=(exc.DBError, exc.ServiceUnavailableError))

    # -- composition ------------------------------------------------------------------

    def attach_executor(self, executor: Executor) -> None:
        self.services.executor = executor

    def timer_handlers(self) -> dict[str, Callable[[Any, dict], None]]:
        """Scheduler handlers by stable key; each runs in the scheduler's transaction."""
        handlers = {key: self._timer_handler(key)
                    for key in (TASK_START, TASK_RETRY, TASK_COMPLETE, TASK_TIMEOUT)}
        handlers[WORKFLOW_TIMEOUT] = self._workflow_timeout
        return handlers

    def start(self) -> None:
        """Start the periodic reconciler thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="engine-reconciler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        # After a restart, give live executors a full heartbeat period to report the
        # actions they still run before anything is judged lost.
        first = max(self.settings.reconcile_interval, self.settings.heartbeat_deadline or 0)
        if self._stop.wait(first):
            return
        while True:
            try:
                self.on_repairs(self.reconcile())
            except Exception:  # noqa: BLE001 - the loop must survive a bad pass
                LOG.exception("Reconciler pass failed")
            started = time.monotonic()
            if self._stop.wait(self.settings.reconcile_interval):
                return
            self._stalled = max(0.0, time.monotonic() - started - self.settings.reconcile_interval)

    def heartbeat_lag(self) -> float:
        """Seconds by which this engine itself may be behind on heartbeats: received but
        not applied yet, or the process was stalled (CPU-starved) before this pass. The
        reconciler adds them to the deadline, so a slow engine does not take its own lag
        for a dead executor."""
        try:
            backlog = float(self.heartbeat_backlog())
        except Exception:  # noqa: BLE001 - a probe never stops the reconciler
            backlog = 0.0
        return max(0.0, backlog) + self._stalled

    def reconcile(self) -> int:
        """One recovery pass (see ``mistral.engine.recovery``); returns repairs made."""
        return recovery.reconcile(self)

    # -- the unit of work -------------------------------------------------------------

    def _locked(self, ctx: RequestContext, wf_ex_id: str, fn: Callable[[Work, Any], Any]) -> Any:
        """One event on one execution; a transaction lost to a deadlock runs again."""
        for attempt in range(DEADLOCK_ATTEMPTS):
            try:
                with self._db.transaction(ctx) as tx:
                    result = self.in_tx(tx, wf_ex_id, fn)
                return result
            except exc.DBDeadlockError:
                if attempt + 1 == DEADLOCK_ATTEMPTS:
                    raise
                LOG.info("Deadlock on execution %s; running the event again", wf_ex_id)
        raise AssertionError("unreachable")

    def in_tx(self, tx: Any, wf_ex_id: str, fn: Callable[[Work, Any], Any]) -> Any:
        """Run ``fn(work, locked_wf_ex)`` and drain, inside the caller's transaction.

        Whoever delivered the event (the API, RPC, a timer, the reconciler), it runs as
        the execution's owner: the context the execution was started with, so what it
        evaluates and the actions it sends see that project's rows and rights only."""
        wf_ex = tx.workflow_executions.lock(wf_ex_id, fields=specs.EVENT_FIELDS)
        owner = owner_context(wf_ex.auth_context, wf_ex.project_id, tx.ctx.request_id)
        with tx.acting_as(owner):
            w = Work(self.services, tx)
            result = fn(w, wf_ex)
            workflows.drain(w)
        return result

    def _timer_handler(self, key: str) -> Callable[[Any, dict], None]:
        def handler(tx: Any, args: dict) -> None:
            def fire(w: Work, wf_ex: Any) -> None:
                task_ex = tx.task_executions.find(id=args.get("task_ex_id"))
                if task_ex is not None:
                    timers.fire_timer(w, wf_ex, task_ex, key, args)

            wf_ex_id = str(args.get("wf_ex_id"))
            try:
                with tx.savepoint():
                    self.in_tx(tx, wf_ex_id, fire)
            except exc.NotFoundError:
                LOG.info("Timer %s for a deleted execution ignored: %s", key, args)
            except exc.ValidationError as e:
                # Deterministic (a value too large or too long for its column, ...):
                # running the timer again would fail again, so the execution fails.
                msg = f"Workflow execution failed: {e}"
                self.in_tx(tx, wf_ex_id, lambda w, wf_ex: workflows.fail_hard(w, wf_ex, msg))
            except (exc.DBError, exc.ServiceUnavailableError):
                raise  # transient: the scheduler runs the job again
            except exc.MistralError as e:
                # any other domain error would make the scheduler drop the job and leave
                # the task waiting for a timer that is gone: the task fails instead
                msg = f"Timer {key} of task execution [id={args.get('task_ex_id')}] failed: {e}"
                LOG.warning("%s", msg)
                self.in_tx(tx, wf_ex_id, lambda w, wf_ex: _fail_timer_task(w, wf_ex, args, msg))

        return handler

    def _workflow_timeout(self, tx: Any, args: dict) -> None:
        """A workflow's own timeout is due (in the scheduler's transaction)."""
        wf_ex_id = str(args.get("wf_ex_id"))
        try:
            with tx.savepoint():
                self.in_tx(tx, wf_ex_id, workflows.time_out)
        except exc.NotFoundError:
            LOG.info("Timeout of a deleted execution %s ignored", wf_ex_id)
        except (exc.DBError, exc.ServiceUnavailableError):
            raise  # transient: the scheduler runs the job again
        except exc.MistralError as e:
            # as a task timer: the job is not dropped silently, the execution fails
            msg = f"Workflow execution timed out and could not be stopped cleanly: {e}"
            LOG.warning("Execution %s: %s", wf_ex_id, msg)
            self.in_tx(tx, wf_ex_id, lambda w, wf_ex: workflows.fail_hard(w, wf_ex, msg))

    # -- Engine protocol: workflows ---------------------------------------------------

    def start_workflow(
        self,
        ctx: RequestContext,
        wf_identifier: str,
        wf_namespace: str = "",
        wf_ex_id: str | None = None,
        wf_input: dict | None = None,
        description: str = "",
        params: dict | None = None,
        trigger_id: str | None = None,
    ) -> dict:
        """Create and start an execution; a known ``wf_ex_id`` returns the existing one.
        ``trigger_id``: the cron or event trigger that starts it, kept on the row in the
        same transaction (its trust is kept while the execution runs)."""
        params = dict(params or {})
        namespace = wf_namespace or params.get("namespace") or ""
        with self._db.transaction(ctx) as tx:
            if wf_ex_id:
                existing = tx.workflow_executions.find(id=wf_ex_id)
                if existing is not None:
                    return _as_dict(existing)
            w = Work(self.services, tx)
            definition = names.workflow_by_identifier(tx, wf_identifier, namespace)
            params.setdefault("namespace", definition.namespace or "")  # as Mistral 23
            params.setdefault("env", {})
            wf_ex = executions.create_execution(
                w, definition, wf_input, params, description=description or "",
                wf_ex_id=wf_ex_id, trigger_id=trigger_id,
            )
            workflows.drain(w)
            result = _as_dict(wf_ex)
        return result

    def pause_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        def fn(w: Work, wf_ex: Any) -> dict:
            workflows.pause(w, wf_ex, None)
            return _as_dict(wf_ex)

        return self._locked(ctx, wf_ex_id, fn)

    def resume_workflow(self, ctx: RequestContext, wf_ex_id: str, env: dict | None = None) -> dict:
        def fn(w: Work, wf_ex: Any) -> Any:
            if wf_ex.state != states.RUNNING:  # resuming a RUNNING execution is a no-op
                workflows.resume(w, wf_ex, env)
            return wf_ex

        return _as_dict(self._locked(ctx, wf_ex_id, fn))

    def stop_workflow(
        self, ctx: RequestContext, wf_ex_id: str, state: str, message: str | None = None
    ) -> dict:
        def fn(w: Work, wf_ex: Any) -> Any:
            workflows.stop(w, wf_ex, state, message)
            return wf_ex

        return _as_dict(self._locked(ctx, wf_ex_id, fn))

    def rerun_workflow(
        self,
        ctx: RequestContext,
        task_ex_id: str,
        reset: bool = True,
        skip: bool = False,
        env: dict | None = None,
    ) -> dict:
        with self._db.transaction(ctx, readonly=True) as tx:
            task_ex = tx.task_executions.get(task_ex_id, fields=("workflow_execution_id",))
            wf_ex_id = task_ex.workflow_execution_id

        def fn(w: Work, wf_ex: Any) -> Any:
            rerun.rerun_task(w, wf_ex, w.tx.task_executions.get(task_ex_id), reset, skip, env)
            return wf_ex

        return _as_dict(self._locked(ctx, wf_ex_id, fn))

    def revert_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        """Revert a finished ERROR or CANCELLED execution (``mistral.engine.reverts``):
        it runs again until its reverts are done, then ends in the same state."""
        def fn(w: Work, wf_ex: Any) -> Any:
            reverts.request(w, wf_ex)
            return wf_ex

        return _as_dict(self._locked(ctx, wf_ex_id, fn))

    def _guarded(self, ctx: RequestContext, wf_ex_id: str,
                 fn: Callable[[Work, Any], Any]) -> Any:
        """Run an internal event; a deterministic store error (a size limit, a value too
        long for its column) fails that one execution instead of leaving it RUNNING."""
        try:
            return self._locked(ctx, wf_ex_id, fn)
        except exc.ValidationError as e:
            msg = f"Workflow execution failed: {e}"
            LOG.warning("Execution %s: %s", wf_ex_id, msg)
            self._locked(ctx, wf_ex_id, lambda w, wf_ex: workflows.fail_hard(w, wf_ex, msg))
            return None

    # -- internal events --------------------------------------------------------------

    def on_subworkflow_finished(self, ctx: RequestContext, child_id: str) -> None:
        """A subworkflow finished, paused, resumed or was rerun: its parent follows."""
        with self._db.transaction(ctx, readonly=True) as tx:
            child = tx.workflow_executions.get(child_id, fields=("task_execution_id",))
            if not child.task_execution_id:
                return
            parent_task = tx.task_executions.find(
                id=child.task_execution_id, fields=("workflow_execution_id",)
            )
            if parent_task is None:
                return
            parent_id = parent_task.workflow_execution_id

        def fn(w: Work, wf_ex: Any) -> None:
            rerun.child_finished(w, wf_ex, child_id)

        self._guarded(ctx, parent_id, fn)

    def _propagate(self, ctx: RequestContext, wf_ex_id: str, op: str, msg: str | None) -> None:
        def fn(w: Work, wf_ex: Any) -> None:
            rerun.propagate(w, wf_ex, op, msg)

        try:
            self._guarded(ctx, wf_ex_id, fn)
        except exc.MistralError as e:
            LOG.warning("Propagating %s to execution %s failed: %s", op, wf_ex_id, e)


def _fail_timer_task(w: Work, wf_ex: Any, args: dict, msg: str) -> None:
    task_ex = w.tx.task_executions.find(id=args.get("task_ex_id"))
    if task_ex is None or states.is_terminal(task_ex.state) or states.is_terminal(wf_ex.state):
        return
    if task_ex.state == states.RUNNING:
        timers.cancel_units(w, task_ex, msg)
    tasks.complete_task(w, wf_ex, task_ex, states.ERROR, msg, None, publish=False)
