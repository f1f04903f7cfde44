"""``Work``: one engine event in progress — the transaction, the services it may use, and
the queues of things still to do before commit.

An event (a result, a timer, a start, a pause ...) locks one workflow execution, then
pushes commands and finished tasks onto the queues; ``mistral.engine.workflows.drain``
empties them. Side effects (sending actions, notifying a parent execution) are queued
with ``tx.after_commit`` and leave the process only after the commit.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Callable

from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext
from mistral.engine.interface import Executor, RunActionRequest
from mistral.engine.ports import Clock, Scheduler, Trusts
from mistral.engine.settings import EngineSettings
from mistral.engine import specs
from mistral.lang.specs import WorkflowSpec
from mistral.notifiers.base import Event, Notifier
from mistral.workflow import states
from mistral.workflow.commands import Command

LOG = logging.getLogger(__name__)


@dataclass
class Services:
    """What every event may use; built once by ``DefaultEngine``."""

    executor: Executor
    scheduler: Scheduler
    registry: ActionRegistry
    settings: EngineSettings
    clock: Clock
    #: called after commit when a subworkflow finished, paused, resumed or was rerun
    on_child_finished: Callable[[RequestContext, str], None]
    #: called after commit to propagate pause/resume/cancel to a subworkflow
    propagate: Callable[[RequestContext, str, str, str | None], None]
    #: delivers execution events after commit (None: nothing is sent)
    notifier: Notifier | None = None
    #: action execution id -> its workflow execution id, for actions sent by this
    #: process (saves a read per result; a miss just reads the row)
    action_owner: ActionOwners = field(default_factory=lambda: ActionOwners())
    #: (task id, attempt, execution updated_at) -> (with-items items, prepared data):
    #: a concurrency-limited with-items launches its next items without rebuilding them
    unit_data: specs.LRU = field(default_factory=lambda: specs.LRU(64))
    #: Keystone trusts of triggers (None: auth off, or no service credentials)
    trusts: Trusts | None = None


class ActionOwners:
    """A bounded map; entries never go stale (an action's execution never changes)."""

    def __init__(self, size: int = 200_000) -> None:
        self._size = size
        self._data: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, action_ex_id: str, wf_ex_id: str) -> None:
        with self._lock:
            self._data[action_ex_id] = wf_ex_id
            if len(self._data) > self._size:
                self._data.popitem(last=False)

    def pop(self, action_ex_id: str) -> str | None:
        with self._lock:
            return self._data.pop(action_ex_id, None)


class Work:
    def __init__(self, services: Services, tx: Any) -> None:
        self.s = services
        self.tx = tx
        self.ctx: RequestContext = tx.ctx
        self.now: datetime.datetime = services.clock.now()
        self.commands: deque[tuple[Any, Command]] = deque()
        self.finished: deque[tuple[Any, Any]] = deque()
        self.touched: dict[str, Any] = {}
        self._new_actions: list[dict] = []
        self._specs: dict[str, WorkflowSpec] = {}
        self._with_data: set[str] = set()
        self._new_tasks: dict[str, list[Any]] = {}
        self._tasks: dict[str, Any] = {}
        self._events: list[Event] = []
        # subworkflows started by subworkflows this same event created (bounded by tasks)
        self.nested_starts = 0
        self.new_executions: set[str] = set()

    # -- specs --------------------------------------------------------------------

    def spec(self, wf_ex: Any) -> WorkflowSpec:
        spec = self._specs.get(wf_ex.id)
        if spec is None:
            spec = self._specs[wf_ex.id] = specs.execution_spec(self.tx, wf_ex)
        return spec

    def task(self, task_ex_id: str) -> Any:
        """A task execution row, read once per event (the results of a with-items that
        arrive together are applied in one event: its row is read once for all)."""
        row = self._tasks.get(task_ex_id)
        if row is None:
            row = self._tasks[task_ex_id] = self.tx.task_executions.get(task_ex_id)
        return row

    def with_data(self, wf_ex: Any) -> Any:
        """``wf_ex`` with its ``input`` and ``context`` loaded (events lock the row without
        them: a large input is read only by the events that evaluate something)."""
        if wf_ex.id not in self._with_data:
            self._with_data.add(wf_ex.id)
            self.tx.workflow_executions.get(wf_ex.id, fields=specs.DATA_FIELDS)
        return wf_ex

    def created(self, wf_ex: Any) -> None:
        """``wf_ex`` was inserted by this event: every column is there."""
        self._with_data.add(wf_ex.id)
        self.new_executions.add(wf_ex.id)

    # -- queues -------------------------------------------------------------------

    def push(self, wf_ex: Any, cmd: Command) -> None:
        self.commands.append((wf_ex, cmd))

    def task_finished(self, wf_ex: Any, task_ex: Any) -> None:
        self.touched[wf_ex.id] = wf_ex
        self.finished.append((wf_ex, task_ex))

    def touch(self, wf_ex: Any) -> None:
        """Check this execution's completion when the event's queues are empty."""
        self.touched[wf_ex.id] = wf_ex

    def started(self, wf_ex: Any, task_ex: Any) -> None:
        """``task_ex`` is a task row this event created."""
        self._new_tasks.setdefault(wf_ex.id, []).append(task_ex)

    def keeps_running(self, wf_ex: Any) -> bool:
        """A task this event created is still active and not a waiting join: the
        execution cannot be complete, nor all its active tasks stalled joins (no need to
        count its tasks)."""
        return any(t.state in states.ACTIVE_TASK_STATES and t.state != states.WAITING
                   for t in self._new_tasks.get(wf_ex.id, ()))

    # -- batched inserts ----------------------------------------------------------

    def add_actions(self, rows: list[dict]) -> None:
        """Queue action execution rows; inserted in batches by ``flush_actions``."""
        self._new_actions.extend(rows)

    def flush_actions(self) -> None:
        """Add the queued action rows to the transaction (before any query or bulk update
        that needs them). Their tasks go to the database first (a task row may still be
        waiting for its INSERT, and the flush knows no order between tables); all but the
        last batch are inserted at once, the last goes with the next flush."""
        rows, self._new_actions = self._new_actions, []
        if not rows:
            return
        self.tx.flush()
        batch = self.s.settings.insert_batch_size
        for start in range(0, len(rows), batch):
            self.tx.action_executions.create_many(rows[start:start + batch],
                                                  flush=start + batch < len(rows))

    # -- side effects -------------------------------------------------------------

    def send(self, request: RunActionRequest) -> None:
        executor, ctx, owners = self.s.executor, self.ctx, self.s.action_owner
        wf_ex_id = request.execution_context.get("workflow_execution_id")
        trusts = self.s.trusts if ctx.is_trust_scoped else None

        def _send() -> None:
            if wf_ex_id:
                owners.put(request.action_ex_id, wf_ex_id)
            executor.run_action(fresh(trusts, ctx), request)

        self.tx.after_commit(_send)

    def release_trust(self, wf_ex: Any) -> None:
        """A root execution a trigger started ended: its trigger's trust goes once it is
        no longer needed (after commit; ``Trusts.release`` checks)."""
        trusts, auth = self.s.trusts, wf_ex.auth_context or {}
        if trusts is None or wf_ex.task_execution_id or not wf_ex.trigger_id \
                or not auth.get("is_trust_scoped"):
            return
        trust_id, trigger_id = auth.get("trust_id"), wf_ex.trigger_id

        def _release() -> None:
            try:
                trusts.release(trust_id, trigger_id)
            except Exception as e:  # noqa: BLE001 - best effort: the trust outlives it
                LOG.warning("Trust %s of trigger %s not released: %s", trust_id, trigger_id, e)

        self.tx.after_commit(_release)

    def cancel_action(self, action_ex_id: str) -> None:
        """Tell the executors to stop an action this event cancelled (after commit; a
        lost message only lets the action run to its end, its result is ignored)."""
        executor, ctx = self.s.executor, self.ctx

        def _cancel() -> None:
            try:
                executor.cancel_action(ctx, action_ex_id)
            except Exception as e:  # noqa: BLE001 - best effort: the row is CANCELLED
                LOG.warning("Cancel of action execution %s not sent: %s", action_ex_id, e)

        self.tx.after_commit(_cancel)

    def schedule(self, handler: str, delay: float, args: dict, key: str | None = None) -> None:
        run_at = self.now + datetime.timedelta(seconds=max(float(delay), 0.0))
        self.s.scheduler.schedule(self.tx, handler, run_at, args, key)

    def notify_parent(self, wf_ex: Any) -> None:
        if not wf_ex.task_execution_id:
            return
        cb, ctx, child_id = self.s.on_child_finished, self.ctx, wf_ex.id
        self.tx.after_commit(lambda: cb(ctx, child_id))

    def notify(self, wf_ex: Any, event_type: str, task_ex: Any = None) -> None:
        """Queue an execution event for the notifier; delivered only after the commit."""
        notifier = self.s.notifier
        if notifier is None:
            return
        own = (wf_ex.params or {}).get("notify") or []
        publishers = tuple(p for p in (*self.s.settings.notify, *own) if isinstance(p, dict))
        if not publishers:
            return
        data = event_data(wf_ex, task_ex, event_type)
        if not self._events:
            events, ctx = self._events, self.ctx
            self.tx.after_commit(lambda: notifier.notify(ctx, list(events)))
        self._events.append(Event(event_type, data, publishers))

    def propagate(self, child_id: str, op: str, msg: str | None = None) -> None:
        cb, ctx = self.s.propagate, self.ctx
        self.tx.after_commit(lambda: cb(ctx, child_id, op, msg))


def fresh(trusts: Trusts | None, ctx: RequestContext) -> RequestContext:
    """``ctx`` with its trust-scoped token renewed when it is about to expire; as it is
    without trusts, or when Keystone cannot renew it now (the action then fails on its
    own with the service's answer)."""
    if trusts is None:
        return ctx
    try:
        return trusts.fresh(ctx)
    except Exception as e:  # noqa: BLE001 - Keystone down must not lose the send
        LOG.warning("Cannot renew the token of trust %s: %s", ctx.trust_id, e)
        return ctx


def _iso(value: Any) -> str | None:
    return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value


def event_data(wf_ex: Any, task_ex: Any, event_type: str) -> dict[str, Any]:
    """What a publisher receives: the execution's (or task's) summary and ``event``."""
    if task_ex is None:
        return {
            "id": wf_ex.id, "name": wf_ex.name, "workflow_id": wf_ex.workflow_id,
            "workflow_name": wf_ex.workflow_name,
            "workflow_namespace": wf_ex.workflow_namespace or "",
            "state": wf_ex.state, "state_info": wf_ex.state_info,
            "project_id": wf_ex.project_id, "root_execution_id": wf_ex.root_execution_id,
            "task_execution_id": wf_ex.task_execution_id,
            "created_at": _iso(wf_ex.created_at), "updated_at": _iso(wf_ex.updated_at),
            "event": event_type,
        }
    return {
        "id": task_ex.id, "name": task_ex.name, "type": task_ex.type,
        "workflow_execution_id": wf_ex.id, "workflow_id": wf_ex.workflow_id,
        "workflow_name": wf_ex.workflow_name,
        "workflow_namespace": wf_ex.workflow_namespace or "",
        "root_execution_id": wf_ex.root_execution_id,
        "state": task_ex.state, "state_info": task_ex.state_info,
        "project_id": wf_ex.project_id,
        "created_at": _iso(task_ex.created_at), "updated_at": _iso(task_ex.updated_at),
        "started_at": _iso(task_ex.started_at), "finished_at": _iso(task_ex.finished_at),
        "event": event_type,
    }


def set_rc(row: Any, **values: Any) -> dict:
    """Set keys of a row's ``runtime_context`` (a new dict, so the change is saved)."""
    rc = dict(row.runtime_context or {})
    for k, v in values.items():
        if v is None:
            rc.pop(k, None)
        else:
            rc[k] = v
    row.runtime_context = rc
    return rc


def rc_of(row: Any) -> dict:
    return row.runtime_context or {}


def set_state(kind: str, row: Any, new: str, info: str | None = None, *, what: str = "") -> None:
    """Every state write goes through here (and ``check_transition``)."""
    states.check_transition(kind, row.state, new, what or f"{kind} execution [id={row.id}]")
    if row.state != new:
        LOG.debug("%s %s: %s -> %s", kind, row.id, row.state, new)
    row.state = new
    row.state_info = info
