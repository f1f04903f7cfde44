"""Task executions: create, apply the before-policies, launch units, finish.

A task runs *units*: one action execution or subworkflow, or one per with-items item.
Progress is kept in counters on the task row (``items_total``, ``items_done``,
``items_failed``) and two numbers in its runtime context (``next_index``, ``launched``),
so a unit's completion costs the same however many siblings it has.

Policies: pause-before and wait-before act before launch; timeout is a timer set at
launch; retry (count/delay/break-on/continue-on), fail-on and wait-after act when the
units are done; publish and keep-result when the task completes.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Mapping

from mistral import exceptions as exc
from mistral import notifiers
from mistral.db import models, names
from mistral.db.filters import Filter
from mistral.engine import actions, data, executions, specs
from mistral.expressions import PreparedData
from mistral.engine.ports import TASK_COMPLETE, TASK_RETRY, TASK_START, TASK_TIMEOUT
from mistral.engine.work import Work, rc_of, set_rc, set_state
from mistral.workflow import policies, states
from mistral.workflow.base import truthy
from mistral.workflow.graph import graph_of
from mistral.workflow.commands import PauseWorkflow, RunTask

LOG = logging.getLogger(__name__)
TASK = "task"
_TASK_EVENTS = {
    states.SUCCESS: notifiers.TASK_SUCCEEDED,
    states.ERROR: notifiers.TASK_FAILED,
    states.CANCELLED: notifiers.TASK_CANCELLED,
    states.SKIPPED: notifiers.TASK_SKIPPED,
}


def _what(task_ex: Any) -> str:
    return f"task execution '{task_ex.name}' [id={task_ex.id}]"


def task_state(task_ex: Any, new: str, info: str | None = None) -> None:
    set_state(TASK, task_ex, new, info, what=_what(task_ex))


def spec_of(w: Work, wf_ex: Any, task_ex: Any) -> Any:
    """The task's spec (a revert's: ``WorkflowSpec.reverts``)."""
    return w.spec(wf_ex).task_spec(task_ex.name)


def _eval(w: Work, wf_ex: Any, task_ex: Any, value: Any, extra: Mapping | None = None,
          current: Mapping | None = None, prepared: PreparedData | None = None) -> Any:
    """Evaluate ``value`` as the task sees it (``extra``: a with-items item). With
    ``prepared`` (the task's data, already built) nothing else is converted again."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    d: Mapping[str, Any]
    if prepared is not None:
        d = prepared
    else:
        d = data.task_data(w, wf_ex, task_ex.in_context)
        if extra:
            d.update(extra)
    return data.evaluate(w, wf_ex, value, d, current or data.task_dict(task_ex))


def _number(w: Work, wf_ex: Any, task_ex: Any, value: Any, what: str) -> float:
    v = _eval(w, wf_ex, task_ex, value)
    if v is None or v == "":
        return 0.0
    try:
        number = float(v)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        raise exc.InputError(
            f"'{what}' of task '{task_ex.name}' must be a finite number, got {v!r:.80}"
        )
    return number


# A timer's due time must stay a datetime (and a timedelta): ~31 years is "forever".
MAX_DELAY = 10 ** 9


def _seconds(w: Work, wf_ex: Any, task_ex: Any, value: Any, what: str) -> float:
    number = _number(w, wf_ex, task_ex, value, what)
    if number > MAX_DELAY:
        raise exc.InputError(
            f"'{what}' of task '{task_ex.name}' must be at most {MAX_DELAY} seconds, "
            f"got {number:g}"
        )
    return number


# -- creating ---------------------------------------------------------------------


def _task_values(w: Work, wf_ex: Any, name: str, ctx: Mapping[str, Any],
                 state: str) -> dict[str, Any]:
    tspec = w.spec(wf_ex).task_spec(name)
    return {
        "name": name,
        "workflow_execution_id": wf_ex.id,
        "workflow_name": wf_ex.workflow_name,
        "workflow_namespace": wf_ex.workflow_namespace,
        "workflow_id": wf_ex.workflow_id,
        "project_id": wf_ex.project_id,
        "state": state,
        "in_context": dict(ctx),
        "published": {},
        "runtime_context": {},
        "type": "WORKFLOW" if tspec.workflow else "ACTION",
        "tags": list(tspec.tags),
        "processed": False,
        # what the reconciler's "untouched for a while" checks read (a new row was
        # always changed again in the event that made it)
        "updated_at": models.utcnow(),
    }


def create_task(w: Work, wf_ex: Any, name: str, ctx: Mapping[str, Any], state: str) -> Any:
    """A new task row; inserted with the event's next flush, as it is by then (one INSERT
    instead of an INSERT and an UPDATE)."""
    row = w.tx.task_executions.create(_task_values(w, wf_ex, name, ctx, state), flush=False)
    w.started(wf_ex, row)
    return row


def create_tasks(w: Work, wf_ex: Any, cmds: list[RunTask]) -> list[Any]:
    """IDLE rows for several plain RunTask commands in one batched insert (fan-out)."""
    rows = [_task_values(w, wf_ex, c.task_name, c.ctx, states.IDLE) for c in cmds]
    created = w.tx.task_executions.create_many(rows, flush=False)
    for row in created:
        w.started(wf_ex, row)
    return created


def waiting_join(w: Work, wf_ex: Any, name: str) -> Any | None:
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "name": name, "state": states.WAITING},
        limit=1, sort_keys=("created_at",),
    )
    return rows[0] if rows else None


def run_task(w: Work, wf_ex: Any, cmd: RunTask, row: Any = None) -> None:
    """Create (or reuse: a waiting join, a pre-inserted ``row``) the task and start it."""
    ctx = dict(cmd.ctx)
    if cmd.merge_from:
        done = Filter("in", [states.SUCCESS, states.SKIPPED])
        for req in data.load_tasks(w, wf_ex.id, cmd.merge_from, done):
            data.merge(ctx, data.outbound_ctx(req), w.s.settings.merge_strategy)
    task_ex: Any = row if row is not None else (
        waiting_join(w, wf_ex, cmd.task_name) if cmd.join else None)
    if row is not None:
        pass
    elif task_ex is not None:
        merged = data.merge(dict(task_ex.in_context or {}), ctx, w.s.settings.merge_strategy)
        task_ex.in_context = merged
        join = dict(rc_of(task_ex).get("join") or {})
        join["arrived"] = int(join.get("arrived", 0)) + 1
        set_rc(task_ex, join=join)
        task_ex.join_pending = 0
    else:
        task_ex = create_task(w, wf_ex, cmd.task_name, ctx, states.IDLE)
    if cmd.triggered_by:
        add_trigger(task_ex, cmd.triggered_by, cmd.event)
    if wf_ex.state != states.RUNNING:
        if task_ex.state != states.IDLE:
            task_state(task_ex, states.IDLE)
        return  # started by resume
    start_task(w, wf_ex, task_ex)


def add_trigger(task_ex: Any, task_id: str, event: str | None) -> None:
    """Record in ``triggered_by`` (as Mistral 23: ``[{"task_id", "event"}]``, one entry per
    inbound task of a join) that ``task_id`` taking its ``event`` clause led here."""
    known = rc_of(task_ex).get("triggered_by")
    found = [dict(t) for t in known if isinstance(t, dict)] if isinstance(known, list) else []
    if not any(t.get("task_id") == task_id for t in found):
        found.append({"task_id": task_id, "event": event})
    set_rc(task_ex, triggered_by=found)


def wait_for_join(w: Work, wf_ex: Any, name: str, ctx: Mapping[str, Any], arrived: int,
                  dead: int, triggered_by: str | None = None, event: str | None = None,
                  failed: tuple[str, ...] = ()) -> None:
    task_ex = waiting_join(w, wf_ex, name)
    if task_ex is None:
        task_ex = create_task(w, wf_ex, name, ctx, states.WAITING)
    else:
        task_ex.in_context = data.merge(
            dict(task_ex.in_context or {}), ctx, w.s.settings.merge_strategy
        )
    if triggered_by:
        add_trigger(task_ex, triggered_by, event)
    join: dict[str, Any] = {"arrived": arrived, "dead": dead}
    if failed:
        join["failed"] = list(failed)  # the inbound tasks that failed it (by name)
    set_rc(task_ex, join=join)
    need = graph_of(w.spec(wf_ex)).join_need.get(name, arrived)
    task_ex.join_pending = max(need - arrived, 0)


def fail_task(w: Work, wf_ex: Any, name: str, info: str, ctx: Mapping[str, Any]) -> None:
    """A task that cannot run (an unsatisfiable join): ERROR without a unit."""
    task_ex = waiting_join(w, wf_ex, name) or create_task(w, wf_ex, name, ctx, states.WAITING)
    complete_task(w, wf_ex, task_ex, states.ERROR, info, NOT_RUN, publish=False)


# -- starting ---------------------------------------------------------------------


def start_task(w: Work, wf_ex: Any, task_ex: Any) -> None:
    """Apply pause-before and wait-before, then launch. Bad values fail the task."""
    tspec = spec_of(w, wf_ex, task_ex)
    rc = rc_of(task_ex)
    try:
        if tspec.pause_before and not rc.get("pause_before_done"):
            if truthy(_eval(w, wf_ex, task_ex, tspec.pause_before)):
                set_rc(task_ex, pause_before_done=True)
                # as Mistral 23: the task says why it waits, the paused execution nothing
                if task_ex.state != states.IDLE:
                    task_state(task_ex, states.IDLE, "Set by 'pause-before' policy")
                else:
                    task_ex.state_info = "Set by 'pause-before' policy"
                w.notify(wf_ex, notifiers.TASK_PAUSED, task_ex)
                w.push(wf_ex, PauseWorkflow(None, task_ex.name))
                return
        delay = _seconds(w, wf_ex, task_ex, tspec.wait_before, "wait-before")
        if delay > 0 and not rc.get("waited_before"):
            set_rc(task_ex, waited_before=True)
            task_state(task_ex, states.RUNNING_DELAYED, f"Waiting {delay:g} s before start")
            task_ex.started_at = task_ex.started_at or w.now
            schedule(w, wf_ex, task_ex, TASK_START, delay)
            return
    except exc.MistralError as e:
        complete_task(w, wf_ex, task_ex, states.ERROR, str(e), NOT_RUN, publish=False)
        return
    launch(w, wf_ex, task_ex)


def schedule(w: Work, wf_ex: Any, task_ex: Any, handler: str, delay: float) -> None:
    """A durable timer for this task; a later timer of the same kind makes it stale."""
    timers = dict(rc_of(task_ex).get("timers") or {})
    token = int(timers.get(handler, 0)) + 1
    timers[handler] = token
    # the handler a RUNNING_DELAYED task waits for, so the reconciler can tell its
    # timer is gone (a dropped job) by its key
    set_rc(task_ex, timers=timers, **({} if handler == TASK_TIMEOUT else {"delayed": handler}))
    args = {"wf_ex_id": wf_ex.id, "task_ex_id": task_ex.id, "token": token}
    w.schedule(handler, delay, args, key=timer_key(handler, task_ex.id, token))


def timer_key(handler: str, task_ex_id: str, token: int) -> str:
    """The scheduler key of a task timer (the reconciler checks it is still there)."""
    return f"{handler}:{task_ex_id}:{token}"


def timer_is_current(task_ex: Any, handler: str, token: Any) -> bool:
    return (rc_of(task_ex).get("timers") or {}).get(handler) == token


def _items(w: Work, wf_ex: Any, task_ex: Any, tspec: Any) -> list[dict[str, Any]] | None:
    if not tspec.with_items:
        return None
    lists: list[list[Any]] = []
    for wi in tspec.with_items:
        value = _eval(w, wf_ex, task_ex, wi.source)
        if isinstance(value, (tuple, list)):
            lists.append(list(value))
        else:
            raise exc.InputError(
                f"with-items of task '{task_ex.name}': '{wi.var}' must be a list, "
                f"got {type(value).__name__} from {wi.source!r:.100}"
            )
    lengths = {len(x) for x in lists}
    if len(lengths) > 1:
        shown = ", ".join(f"{wi.var}={len(x)}" for wi, x in zip(tspec.with_items, lists))
        raise exc.InputError(
            f"with-items of task '{task_ex.name}': lists have different lengths ({shown})"
        )
    count = lengths.pop() if lengths else 0
    return [{wi.var: x[i] for wi, x in zip(tspec.with_items, lists)} for i in range(count)]


def launch(w: Work, wf_ex: Any, task_ex: Any, keep: Mapping[int, Any] | None = None) -> None:
    """RUNNING, timeout timer, first batch of units. ``keep``: with-items results kept."""
    tspec = spec_of(w, wf_ex, task_ex)
    attempt = int(rc_of(task_ex).get("attempt", 0)) + 1
    old = task_ex.state
    task_state(task_ex, states.RUNNING)
    task_ex.started_at = task_ex.started_at or w.now
    task_ex.finished_at = None
    if old == states.ERROR:
        w.notify(wf_ex, notifiers.TASK_RERUN, task_ex)
    elif attempt == 1:
        held = rc_of(task_ex).get("pause_before_done")
        w.notify(wf_ex, notifiers.TASK_RESUMED if held else notifiers.TASK_LAUNCHED, task_ex)
    try:
        items = _items(w, wf_ex, task_ex, tspec)
        timeout = _seconds(w, wf_ex, task_ex, tspec.timeout, "timeout")
        concurrency = int(_number(w, wf_ex, task_ex, tspec.concurrency, "concurrency"))
    except exc.MistralError as e:
        set_rc(task_ex, attempt=attempt)
        complete_task(w, wf_ex, task_ex, states.ERROR, str(e), NOT_RUN, publish=False)
        return
    kept = sorted(int(i) for i in (keep or {}))
    total = 1 if items is None else len(items)
    task_ex.items_total = total
    task_ex.items_done = len(kept)
    task_ex.items_failed = 0
    set_rc(task_ex, attempt=attempt, with_items=items is not None, next_index=0, launched=0,
           kept=kept or None, concurrency=concurrency or None, first_error=None,
           timeout=timeout or None, **_sequence(w, wf_ex, task_ex, "seq_start"))
    if timeout > 0:
        schedule(w, wf_ex, task_ex, TASK_TIMEOUT, timeout)
    if total == len(kept):
        set_rc(task_ex, next_index=total)
        _finish_units(w, wf_ex, task_ex)
        return
    launch_more(w, wf_ex, task_ex, items)


def launch_more(w: Work, wf_ex: Any, task_ex: Any, items: list[dict] | None = None) -> None:
    """Launch units up to the concurrency limit, in index order, skipping kept ones."""
    rc = rc_of(task_ex)
    total = task_ex.items_total
    kept = set(rc.get("kept") or ())
    running = int(rc.get("launched", 0)) + len(kept) - task_ex.items_done
    limit = int(rc.get("concurrency") or 0) or total
    idx = int(rc.get("next_index", 0))
    todo: list[int] = []
    while idx < total and running + len(todo) < limit:
        if idx not in kept:
            todo.append(idx)
        idx += 1
    if not todo and idx >= total:
        set_rc(task_ex, next_index=idx)
        return
    items, base = _unit_data(w, wf_ex, task_ex, items)
    set_rc(task_ex, next_index=idx, launched=int(rc.get("launched", 0)) + len(todo))
    _launch_units(w, wf_ex, task_ex, todo, items, base)


def _unit_data(w: Work, wf_ex: Any, task_ex: Any, items: list[dict] | None
               ) -> tuple[list[dict] | None, PreparedData]:
    """The items and the task's data (built and converted for YAQL once; each item only
    adds its own variables, so launching N items costs N × item, not N × data).

    Kept in-process per task attempt while the execution row is unchanged (its
    ``updated_at``), so a concurrency-limited with-items does not rebuild large data on
    every completion; an entry is stored only after this event's commit."""
    key = (task_ex.id, int(rc_of(task_ex).get("attempt", 0)), str(wf_ex.updated_at))
    cached = w.s.unit_data.get(key) if items is None else None
    if cached is not None:
        return cached
    if items is None and rc_of(task_ex).get("with_items"):
        items = _items(w, wf_ex, task_ex, spec_of(w, wf_ex, task_ex))
    value = (items, PreparedData(data.task_data(w, wf_ex, task_ex.in_context)))
    if items is not None and task_ex.items_total > 1:
        lru = w.s.unit_data
        w.tx.after_commit(lambda: lru.put(key, value))
    return value


def _launch_units(w: Work, wf_ex: Any, task_ex: Any, indices: list[int],
                  items: list[dict] | None, base: PreparedData) -> None:
    tspec = spec_of(w, wf_ex, task_ex)
    rows: list[dict] = []
    requests = []
    failures: list[tuple[int, str]] = []
    current = data.current_task(w, task_ex)
    for i in indices:
        d = base.overlay(items[i]) if items is not None else base
        try:
            if tspec.workflow:
                _start_child(w, wf_ex, task_ex, tspec, i, d, current)
                continue
            values, req = _action_unit(w, wf_ex, task_ex, tspec, i, d, current)
            rows.append(values)
            requests.append(req)
        except exc.MistralError as e:
            failures.append((i, str(e)))
    w.add_actions(rows)
    for req in requests:
        w.send(req)
    for i, msg in failures:
        what = tspec.workflow or tspec.action
        on_unit_done(w, wf_ex, task_ex, i, states.ERROR, f"Failed to run {what}: {msg}",
                     ran=False)


def _action_unit(w: Work, wf_ex: Any, task_ex: Any, tspec: Any, index: int,
                 d: PreparedData, current: Mapping) -> tuple[dict, Any]:
    name = _eval(w, wf_ex, task_ex, tspec.action or "std.noop", None, current, d)
    action_input = _eval(w, wf_ex, task_ex, tspec.input, None, current, d) or {}
    if not isinstance(action_input, Mapping):
        raise exc.InputError(f"input of task '{task_ex.name}' must be a mapping")
    resolved = actions.resolve(
        w, str(name), action_input, wf_ex.workflow_namespace or "", _workbook(wf_ex),
        project_id=wf_ex.project_id,
    )
    safe = truthy(_eval(w, wf_ex, task_ex, tspec.safe_rerun, None, current, d))
    target = _eval(w, wf_ex, task_ex, tspec.target, None, current, d)
    timeout = rc_of(task_ex).get("timeout")
    return actions.new_action_values(
        w, resolved, wf_ex=wf_ex, task_ex=task_ex, index=index, safe_rerun=safe,
        timeout=timeout, target=target, namespace=wf_ex.workflow_namespace or "",
        description="",  # as Mistral 23: a task's action executions have an empty one
    )


def _workbook(wf_ex: Any) -> str | None:
    name = wf_ex.workflow_name or ""
    return name.rsplit(".", 1)[0] if "." in name else None


def _start_child(w: Work, wf_ex: Any, task_ex: Any, tspec: Any, index: int,
                 d: PreparedData, current: Mapping) -> None:
    name = str(_eval(w, wf_ex, task_ex, tspec.workflow, None, current, d))
    wf_input = _eval(w, wf_ex, task_ex, tspec.input, None, current, d) or {}
    if not isinstance(wf_input, Mapping):
        raise exc.InputError(f"input of task '{task_ex.name}' must be a mapping")
    # As Mistral 23: a subworkflow is looked up in, and inherits, the namespace the root
    # execution was started in (params["namespace"]), not its parent's own namespace.
    namespace = (wf_ex.params or {}).get("namespace", wf_ex.workflow_namespace or "")
    definition = names.workflow_for_task(w.tx, name, namespace, _workbook(wf_ex))
    depth = int(rc_of(wf_ex).get("depth", 0)) + 1
    if depth > MAX_NESTING:
        # a workflow calling itself (directly or not) without end: every level is made
        # in this one transaction, so without a bound it never commits and eats memory
        raise exc.InputError(f"subworkflows are nested deeper than {MAX_NESTING} levels")
    if wf_ex.task_execution_id and wf_ex.id in w.new_executions:
        # a subworkflow this event made starts its own: a recursive with-items fan-out
        # (3 items calling itself: 3^64 subworkflows) would never end this transaction
        if w.nested_starts >= MAX_NESTED_STARTS:
            raise exc.InputError(f"more than {MAX_NESTED_STARTS} nested subworkflows would be "
                                 "started at once (recursive fan-out?)")
        w.nested_starts += 1
    params = {"root_execution_id": wf_ex.root_execution_id or wf_ex.id,
              "task_execution_id": task_ex.id, "index": index, "namespace": namespace,
              "env": (wf_ex.params or {}).get("env") or {}}
    if (wf_ex.params or {}).get("notify"):
        params["notify"] = wf_ex.params["notify"]
    child = executions.create_execution(
        w, definition, wf_input, params, parent_task=task_ex, parent_wf=wf_ex, index=index,
        description="sub-workflow execution",  # as Mistral 23
    )
    set_rc(child, depth=depth)


MAX_NESTING = 64
MAX_NESTED_STARTS = 2000


# -- finishing --------------------------------------------------------------------


def on_unit_done(w: Work, wf_ex: Any, task_ex: Any, index: int, state: str, value: Any,
                 ran: bool = True, info: str | None = None) -> None:
    """One action / subworkflow of the task finished with ``state`` (value: result or error;
    ``ran``: False when the unit could not even be made, so there is no result; ``info``:
    what went wrong when it is not the value itself, as for a failed subworkflow, whose
    result is its output)."""
    if task_ex.state != states.RUNNING:
        LOG.info("Result for %s ignored: task is %s", _what(task_ex), task_ex.state)
        return
    task_ex.items_done += 1
    rc = rc_of(task_ex)
    text = info if info is not None else \
        actions.error_text(value) if value is not None else None
    if state != states.SUCCESS:
        task_ex.items_failed += 1
        if rc.get("first_error") is None:
            set_rc(task_ex, first_error=text if text is not None else f"unit {index} {state}")
    if not rc.get("with_items"):
        if state == states.SUCCESS:
            finish_task(w, wf_ex, task_ex, states.SUCCESS, None, value)
        elif state == states.CANCELLED:
            finish_task(w, wf_ex, task_ex, states.CANCELLED, text, None)
        else:
            finish_task(w, wf_ex, task_ex, states.ERROR, text if text is not None else state,
                        value if ran else NOT_RUN)
        return
    if task_ex.items_failed == 0 and wf_ex.state == states.RUNNING:
        launch_more(w, wf_ex, task_ex)  # a paused execution starts no new item
    _finish_units(w, wf_ex, task_ex)


def _finish_units(w: Work, wf_ex: Any, task_ex: Any) -> None:
    rc = rc_of(task_ex)
    running = int(rc.get("launched", 0)) + len(rc.get("kept") or ()) - task_ex.items_done
    all_launched = int(rc.get("next_index", 0)) >= task_ex.items_total
    if running > 0 or not (all_launched or task_ex.items_failed):
        return  # more to run (or, while paused, to launch on resume)
    result = collect_items(w, task_ex)
    if task_ex.items_failed:
        finish_task(w, wf_ex, task_ex, states.ERROR, rc.get("first_error"), result)
    else:
        finish_task(w, wf_ex, task_ex, states.SUCCESS, None, result)


def collect_items(w: Work, task_ex: Any) -> list[Any]:
    """with-items results in item order (the latest unit of each index)."""
    out: list[Any] = [None] * task_ex.items_total
    w.flush_actions()
    if task_ex.type == "WORKFLOW":
        rows = w.tx.workflow_executions.list(
            filters={"task_execution_id": task_ex.id},
            fields=("output", "runtime_context", "created_at"), sort_keys=("created_at",),
        )
        for r in rows:
            i = int(rc_of(r).get("index", 0))
            if i < len(out):
                out[i] = r.output
        return out
    rows = w.tx.action_executions.list(
        filters={"task_execution_id": task_ex.id},
        fields=("output", "runtime_context", "created_at"), sort_keys=("created_at",),
    )
    for r in rows:
        i = int(rc_of(r).get("index", 0))
        if i < len(out):
            out[i] = (r.output or {}).get("result")
    return out


def finish_task(w: Work, wf_ex: Any, task_ex: Any, state: str, info: str | None,
                result: Any) -> None:
    """Units done: retry / fail-on / wait-after, then complete."""
    tspec = spec_of(w, wf_ex, task_ex)
    current = {**data.task_dict(task_ex, result), "state": state, "state_info": info}
    try:
        if tspec.retry is not None and _retry(w, wf_ex, task_ex, tspec.retry, state, current):
            return
        if state == states.SUCCESS and tspec.fail_on:
            if truthy(_eval(w, wf_ex, task_ex, tspec.fail_on, current=current)):
                state, info = states.ERROR, f"Failed by fail-on condition: {tspec.fail_on}"
        delay = _seconds(w, wf_ex, task_ex, tspec.wait_after, "wait-after")
    except exc.MistralError as e:
        complete_task(w, wf_ex, task_ex, states.ERROR, str(e), result, publish=False)
        return
    if delay > 0 and not rc_of(task_ex).get("waited_after"):
        set_rc(task_ex, waited_after=True, pending={"state": state, "info": info},
               result=result)
        task_state(task_ex, states.RUNNING_DELAYED, f"Waiting {delay:g} s after completion")
        schedule(w, wf_ex, task_ex, TASK_COMPLETE, delay)
        return
    complete_task(w, wf_ex, task_ex, state, info, result)


def _retry(w: Work, wf_ex: Any, task_ex: Any, retry: Any, state: str, current: dict) -> bool:
    retry_no = int(rc_of(task_ex).get("retry_no", 0))
    count = int(_number(w, wf_ex, task_ex, retry.count, "retry.count"))
    if retry_no >= count:
        return False
    if state == states.ERROR:
        want = not (retry.break_on and truthy(
            _eval(w, wf_ex, task_ex, retry.break_on, current=current)))
    elif state == states.SUCCESS:
        want = bool(retry.continue_on) and truthy(
            _eval(w, wf_ex, task_ex, retry.continue_on, current=current))
    else:
        want = False
    if not want:
        return False
    delay = _retry_wait(w, wf_ex, task_ex, retry, retry_no + 1)
    set_rc(task_ex, retry_no=retry_no + 1)
    if delay > 0:
        task_state(task_ex, states.RUNNING_DELAYED,
                   f"Retry {retry_no + 1} of {count} in {delay:g} s")
        schedule(w, wf_ex, task_ex, TASK_RETRY, delay)
    else:
        launch(w, wf_ex, task_ex)
    return True


def _retry_wait(w: Work, wf_ex: Any, task_ex: Any, retry: Any, retry_no: int) -> float:
    """Seconds before retry ``retry_no``: ``delay``, grown by ``backoff``, capped by
    ``max-delay``, part of it drawn at random by ``jitter`` (``workflow.policies``)."""
    delay = _seconds(w, wf_ex, task_ex, retry.delay, "retry.delay")
    if retry.backoff is None and retry.max_delay is None and retry.jitter is None:
        return delay
    cap = None if retry.max_delay is None else _seconds(
        w, wf_ex, task_ex, retry.max_delay, "retry.max-delay")
    jitter = _eval(w, wf_ex, task_ex, retry.jitter)
    try:
        share = policies.jitter_share(jitter)
    except ValueError as e:
        raise exc.InputError(f"'retry.jitter' of task '{task_ex.name}' {e}") from None
    wait = policies.retry_delay(delay, retry_no, retry.backoff, cap, share)
    return min(wait, MAX_DELAY)


def _sequence(w: Work, wf_ex: Any, task_ex: Any, key: str) -> dict[str, int]:
    """Where a launch or a completion falls in the execution's completion counter, for
    the order of reverts (``mistral.workflow.revert``); kept only by workflows that have
    a revert, and not for the reverts themselves."""
    if not w.spec(wf_ex).reverts or "revert_of" in rc_of(task_ex):
        return {}
    count = int(rc_of(wf_ex).get("completions", 0))
    if key == "seq_done":
        count += 1
        set_rc(wf_ex, completions=count)
    return {key: count}


NOT_RUN: list = []
"""The result of a task that ended without any action or subworkflow: as Mistral 23 (the
results of no actions), an empty list. Never mutated."""


def complete_task(w: Work, wf_ex: Any, task_ex: Any, state: str, info: str | None,
                  result: Any, publish: bool = True) -> None:
    """Publish, store the result and the final state, and queue the task for routing."""
    tspec = spec_of(w, wf_ex, task_ex)
    branch: dict = {}
    if publish:
        try:
            branch, glob = data.publish(w, wf_ex, task_ex, tspec, state, result)
            if glob:
                w.with_data(wf_ex)
                wf_ex.context = data.merge(
                    dict(wf_ex.context or {}), glob, w.s.settings.merge_strategy
                )
        except exc.MistralError as e:
            state, info = states.ERROR, f"Failed to publish variables of task '{task_ex.name}': {e}"
    keep = True
    try:
        keep = truthy(_eval(w, wf_ex, task_ex, tspec.keep_result))
    except exc.MistralError:
        keep = True
    task_ex.published = branch
    set_rc(task_ex, pending=None, **_sequence(w, wf_ex, task_ex, "seq_done"))
    # stored even when None (an action that returned nothing, or keep-result: false):
    # only a task that never had an action or subworkflow has no result (see NOT_RUN)
    task_ex.runtime_context = {**rc_of(task_ex), "result": result if keep else None}
    task_state(task_ex, state, info)
    task_ex.finished_at = w.now
    task_ex.processed = False
    event = _TASK_EVENTS.get(state)
    if event:
        w.notify(wf_ex, event, task_ex)
    w.task_finished(wf_ex, task_ex)
