"""``DefaultEngine``: the local ``Engine``; the only writer of runtime state.

Every public call is one unit of work: open a transaction, lock the workflow execution
row, load what the event needs, decide (the pure controller), apply, commit; sends to
the executor and notifications run after the commit (see ``mistral.engine.work``).

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
from collections.abc import Sequence
from typing import Any, Callable

from mistral import exceptions as exc
from mistral import notifiers
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext, admin_context, owner_context, stored_context
from mistral.db import names
from mistral.db.filters import Filter
from mistral.engine import (
    actions, executions, recovery, rerun, reverts, specs, tasks, timers, workflows,
)
from mistral.engine.interface import ActionResult, Executor, RunActionRequest
from mistral.engine.ports import (
    TASK_COMPLETE, TASK_RETRY, TASK_START, TASK_TIMEOUT, WORKFLOW_TIMEOUT, Clock, Scheduler,
    SystemClock, Trusts,
)
from mistral.engine.settings import EngineSettings
from mistral.utils.groupcommit import GroupCommit
from mistral.engine.work import Services, Work, rc_of
from mistral.notifiers.base import Notifier
from mistral.workflow import states

LOG = logging.getLogger(__name__)
DEADLOCK_ATTEMPTS = 3


def _as_dict(row: Any) -> dict:
    return row.to_dict()


class DefaultEngine:
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
    ) -> dict:
        """Create and start an execution; a known ``wf_ex_id`` returns the existing one."""
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
                wf_ex_id=wf_ex_id,
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

    # -- Engine protocol: actions -----------------------------------------------------

    def on_action_complete(
        self, ctx: RequestContext, action_ex_id: str, result: ActionResult, async_: bool = False
    ) -> None:
        """Store a result and go on; returns once it is committed. Results of one
        execution arriving together are applied in one transaction
        (``mistral.utils.groupcommit``)."""
        wf_ex_id = self.services.action_owner.pop(action_ex_id)
        if wf_ex_id is None:
            with self._db.transaction(ctx, readonly=True) as tx:
                found = tx.action_executions.get(action_ex_id, fields=("workflow_execution_id",))
                wf_ex_id = found.workflow_execution_id
        if wf_ex_id is None:
            self._standalone_done(ctx, action_ex_id, result)
            return
        self._results.submit(ctx, wf_ex_id, (action_ex_id, result))

    def _apply_results(self, ctx: RequestContext, wf_ex_id: str,
                       items: Sequence[tuple[str, ActionResult]]) -> list[None]:
        """Several results of one execution, in arrival order, in one transaction; each
        drained before the next, as if each were an event of its own."""
        def fn(w: Work, wf_ex: Any) -> None:
            # their rows in one query, not one each
            rows = {r.id: r for r in w.tx.action_executions.list(
                filters={"id": Filter("in", sorted({i for i, _ in items}))})}
            for i, (action_ex_id, result) in enumerate(items):
                if i:
                    workflows.drain(w)
                self._action_done(w, wf_ex, action_ex_id, result, rows.get(action_ex_id))

        self._locked(ctx, wf_ex_id, fn)
        return [None] * len(items)

    def _apply_result(self, ctx: RequestContext, wf_ex_id: str,
                      item: tuple[str, ActionResult]) -> None:
        action_ex_id, result = item

        def fn(w: Work, wf_ex: Any) -> None:
            self._action_done(w, wf_ex, action_ex_id, result)

        def too_big(w: Work, wf_ex: Any) -> None:
            self._action_done(w, wf_ex, action_ex_id, ActionResult(error=why))

        try:
            self._locked(ctx, wf_ex_id, fn)
            return
        except exc.SizeLimitExceededError as e:
            why = f"Result of action execution [id={action_ex_id}] is too large: {e}"
            LOG.warning("%s", why)
        except exc.ValidationError as e:
            # Storing the result or what follows from it breaks a limit of the store (a
            # value too long for its column, ...). Retrying would fail the same way, so
            # the action fails with the reason instead of leaving the execution RUNNING.
            why = f"Result of action execution [id={action_ex_id}] could not be applied: {e}"
            LOG.warning("%s", why)
        # The result becomes an error of the action (its task's policies still apply);
        # if even that does not fit, the execution fails without touching the service.
        self._guarded(ctx, wf_ex_id, too_big)

    def _standalone_done(self, ctx: RequestContext, action_ex_id: str,
                         result: ActionResult) -> None:
        for attempt in (result, None):
            try:
                with self._db.transaction(ctx) as tx:
                    action_ex = tx.action_executions.get(action_ex_id)
                    if action_ex.state != states.RUNNING:
                        LOG.info("Result for finished action execution %s ignored",
                                 action_ex_id)
                        return
                    actions.store_result(action_ex, attempt or ActionResult(
                        error="The result of the action is larger than the field size limit"),
                        self.settings.expressions)
                return
            except exc.SizeLimitExceededError:
                if attempt is None:
                    raise

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

    def _action_done(self, w: Work, wf_ex: Any, action_ex_id: str, result: ActionResult,
                     action_ex: Any = None) -> None:
        if action_ex is None:
            action_ex = w.tx.action_executions.get(action_ex_id)
        if action_ex.state != states.RUNNING:
            LOG.info("Result for action execution %s ignored: it is %s",
                     action_ex_id, action_ex.state)
            return
        state, value = actions.store_result(action_ex, result, self.settings.expressions)
        if action_ex.task_execution_id is None:
            return
        task_ex = w.task(action_ex.task_execution_id)
        index = int(rc_of(action_ex).get("index", 0))
        tasks.on_unit_done(w, wf_ex, task_ex, index, state, value)

    def on_action_update(self, ctx: RequestContext, action_ex_id: str, state: str) -> None:
        """Only PAUSED <-> RUNNING of an action is an update; results go through complete.

        An action of a workflow changes under its execution's lock, like every event."""
        def update(tx: Any, w: Work | None = None, wf_ex: Any = None) -> None:
            action_ex = tx.action_executions.get(action_ex_id)
            states.check_transition("action", action_ex.state, state,
                                    f"action execution [id={action_ex_id}]")
            if state in states.TERMINAL:
                raise exc.InvalidStateTransitionError(
                    f"Use on_action_complete to finish action execution [id={action_ex_id}]"
                )
            old, action_ex.state = action_ex.state, state
            event = {(states.RUNNING, states.PAUSED): notifiers.TASK_PAUSED,
                     (states.PAUSED, states.RUNNING): notifiers.TASK_RESUMED}.get((old, state))
            if w is not None and event and action_ex.task_execution_id:
                w.notify(wf_ex, event, tx.task_executions.get(action_ex.task_execution_id))

        with self._db.transaction(ctx, readonly=True) as tx:
            wf_ex_id = tx.action_executions.get(
                action_ex_id, fields=("workflow_execution_id",)).workflow_execution_id
        if wf_ex_id is None:
            with self._db.transaction(ctx) as tx:
                update(tx)
            return
        self._locked(ctx, wf_ex_id, lambda w, wf_ex: update(w.tx, w, wf_ex))

    def start_action(
        self,
        ctx: RequestContext,
        action_name: str,
        action_input: dict | None = None,
        description: str | None = None,
        namespace: str = "",
        params: dict | None = None,
    ) -> dict:
        """Run an action outside any workflow (``run-action``)."""
        params = dict(params or {})
        run_sync = bool(params.get("run_sync", False))
        save = bool(params.get("save_result", True)) or not run_sync
        with self._db.transaction(ctx) as tx:
            w = Work(self.services, tx)
            resolved = actions.resolve(w, action_name, action_input, namespace)
            if run_sync and not resolved.is_sync:
                raise exc.InputError(
                    f"Action {action_name} is asynchronous and can not be run with run_sync"
                )
            values, req = actions.new_action_values(
                w, resolved, namespace=namespace, description=description,
                timeout=params.get("timeout"), target=params.get("target"),
            )
            created: dict = {}
            if save:
                if run_sync:  # the reconciler never re-sends a lost synchronous call
                    values["runtime_context"] = {**values["runtime_context"], "sync_call": True}
                values["auth_context"] = stored_context(ctx)  # what its repairs act as
                created = _as_dict(tx.action_executions.create(values))
                if not run_sync:
                    w.send(req)
        if not run_sync:
            # as Mistral 23: the execution as created (RUNNING), whatever the executor has
            # done with it since the commit
            return created
        sync_req = RunActionRequest.from_dict({**req.to_dict(), "is_sync": True})
        result = self.services.executor.run_action(ctx, sync_req) or ActionResult(
            error="The executor returned no result for a synchronous request"
        )
        if save:
            self.on_action_complete(ctx, values["id"], result)
            return self._action_dict(ctx, values["id"])
        return _unsaved(values, result, resolved.outputs, self.settings.expressions)

    def _action_dict(self, ctx: RequestContext, action_ex_id: str) -> dict:
        with self._db.transaction(ctx, readonly=True) as tx:
            return _as_dict(tx.action_executions.get(action_ex_id))

    def report_running_actions(
        self, ctx: RequestContext, action_ex_ids: list[str], host: str | None = None,
        queued: bool = False,
    ) -> None:
        """Heartbeat: short transactions of sorted ids (rows locked in one order, held
        briefly), so heartbeats neither deadlock with events nor hold them up.

        ``queued``: the executor holds these but has not started them (no free slot, or
        its claim is unanswered): they are alive, so not re-sent, but not acknowledged as
        running either. One that this host's claim already took (the engine granted the
        claim but its answer was lost, e.g. the engine was killed) is alive too: the
        executor's retried claim is granted and runs it, so it is not failed meanwhile."""
        ids = sorted(set(action_ex_ids))
        now = self.services.clock.now()
        values: dict[str, Any] = {"last_heartbeat": now}
        alive: list[dict[str, Any]] = [{"accepted": False}] if queued else [{}]
        if not queued:
            values["accepted"] = True
            if host:
                values["executor_host"] = host[:255]
        elif host:
            alive.append({"accepted": True, "executor_host": host[:255]})
        for start in range(0, len(ids), 100):
            with self._db.transaction(admin_context()) as tx:
                for extra in alive:
                    tx.action_executions.update_where(
                        values, id=Filter("in", ids[start:start + 100]), state=states.RUNNING,
                        **extra,
                    )

    def claim_actions(self, ctx: RequestContext, action_ex_ids: list[str], host: str,
                      claim: str) -> list[str]:
        """An executor asks to start action executions: each is granted to the first
        claim of each send (and again to that same claim, whose answer may have been
        lost), so a duplicated or re-sent request never runs an action twice. One
        transaction for all of them; acts as the owner. Returns the granted ids."""
        ids = sorted(set(action_ex_ids))
        with self._db.transaction(ctx) as tx:
            granted = tx.action_executions.update_where(
                {"accepted": True, "claimed_by": claim[:255], "executor_host": host[:255] or None,
                 "last_heartbeat": self.services.clock.now()},
                id=Filter("in", ids), state=states.RUNNING, claimed_by=None,
            )
            if granted == len(ids):
                return ids
            rows = tx.action_executions.list(filters={"id": Filter("in", ids)},
                                             fields=("id", "state", "claimed_by"))
            return [r.id for r in rows if r.state == states.RUNNING and r.claimed_by == claim[:255]]

    def claim_action(self, ctx: RequestContext, action_ex_id: str, host: str,
                     claim: str) -> bool:
        """``claim_actions`` for one action execution."""
        return action_ex_id in self.claim_actions(ctx, [action_ex_id], host, claim)

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


def _unsaved(values: dict, result: ActionResult, outputs: list,
             settings: Any = None) -> dict:
    """The answer for ``run_sync`` without ``save_result``: nothing was stored."""
    d = {k: v for k, v in values.items() if k != "runtime_context"}
    if result.is_error():
        d["state"], d["state_info"] = states.ERROR, actions.error_text(result.error)
        d["output"] = {"result": result.error}
    else:
        data = actions.transform_output(outputs, result.data, settings) if outputs else result.data
        d["state"], d["output"] = states.SUCCESS, {"result": data}
    return d
