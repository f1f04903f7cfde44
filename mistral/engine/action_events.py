"""The action side of ``DefaultEngine``: results, updates, standalone actions, claims
and heartbeats (a mixin of ``mistral.engine.default_engine.DefaultEngine``).

Results of one execution that arrive together are applied in one transaction
(``mistral.utils.groupcommit``): ``on_action_complete`` and ``on_actions_complete``
return only once their results are committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from mistral import exceptions as exc
from mistral import notifiers
from mistral.context import RequestContext, admin_context, stored_context
from mistral.db.filters import Filter
from mistral.engine import actions, tasks, workflows
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.engine.settings import EngineSettings
from mistral.engine.work import Services, Work, rc_of
from mistral.utils.groupcommit import Failed, GroupCommit
from mistral.workflow import states

LOG = logging.getLogger(__name__)


def _as_dict(row: Any) -> dict:
    return row.to_dict()


class ActionEvents:
    """Engine Protocol methods about actions; needs the engine's database, services,
    settings, result batcher and its ``_locked`` / ``_guarded`` units of work."""

    _db: Any
    services: Services
    settings: EngineSettings
    _results: GroupCommit
    _locked: Callable[..., Any]
    _guarded: Callable[..., Any]

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

    def on_actions_complete(self, ctx: RequestContext, action_ex_ids: list[str],
                            results: list[ActionResult]) -> None:
        """Several results (what an executor finished together): grouped per execution,
        each group applied with that execution's other queued results; returns once all
        are committed, then raises the first failure, if any."""
        groups: dict[str, list[tuple[str, ActionResult]]] = {}
        unknown: list[tuple[str, ActionResult]] = []
        for action_ex_id, result in zip(action_ex_ids, results):
            wf_ex_id = self.services.action_owner.pop(action_ex_id)
            if wf_ex_id is None:
                unknown.append((action_ex_id, result))
            else:
                groups.setdefault(wf_ex_id, []).append((action_ex_id, result))
        errors: list[BaseException] = []
        standalone: list[tuple[str, ActionResult]] = []
        if unknown:
            with self._db.transaction(ctx, readonly=True) as tx:
                owners = {r.id: r.workflow_execution_id for r in tx.action_executions.list(
                    filters={"id": Filter("in", sorted({i for i, _ in unknown}))},
                    fields=("id", "workflow_execution_id"))}
            for action_ex_id, result in unknown:
                if action_ex_id not in owners:
                    errors.append(exc.NotFoundError(
                        f"Action execution not found [id={action_ex_id}]"))
                elif owners[action_ex_id] is None:
                    standalone.append((action_ex_id, result))
                else:
                    groups.setdefault(owners[action_ex_id], []).append((action_ex_id, result))
        for wf_ex_id, items in groups.items():
            errors += [o.error for o in self._results.submit_many(ctx, wf_ex_id, items)
                       if isinstance(o, Failed)]
        for action_ex_id, result in standalone:
            try:
                self._standalone_done(ctx, action_ex_id, result)
            except exc.MistralError as e:
                errors.append(e)
        if errors:
            raise errors[0]

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
