"""Driving one event to its end: apply commands, route finished tasks, finish executions.

``drain(w)`` empties the queues of a :class:`Work` — commands first, then finished tasks
(each routed through the pure controller) — and then checks whether any execution it
touched has no active task left, which decides SUCCESS / ERROR / CANCELLED.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from mistral import exceptions as exc
from mistral import notifiers
from mistral.db.filters import Filter
from mistral.engine import data, reverts, tasks, timers
from mistral.engine.work import Work, rc_of, set_rc, set_state
from mistral.lang.util import clip
from mistral.workflow import controller, direct, states
from mistral.workflow.base import FlowState, JoinState, TaskOutcome
from mistral.workflow.graph import graph_of
from mistral.workflow.commands import (
    Command,
    EndRevert,
    FailTask,
    FailWorkflow,
    Noop,
    PauseWorkflow,
    RevertTask,
    RunExistingTask,
    RunTask,
    SucceedWorkflow,
    WaitForJoin,
)

LOG = logging.getLogger(__name__)
WORKFLOW = "workflow"
ACTIVE = Filter("in", sorted(states.ACTIVE_TASK_STATES))


_WF_EVENTS = {
    states.SUCCESS: notifiers.WORKFLOW_SUCCEEDED,
    states.ERROR: notifiers.WORKFLOW_FAILED,
    states.CANCELLED: notifiers.WORKFLOW_CANCELLED,
    states.PAUSED: notifiers.WORKFLOW_PAUSED,
}


def wf_state(w: Work, wf_ex: Any, new: str, info: str | None = None) -> None:
    """Every workflow state write; notifies the change (after commit)."""
    old = wf_ex.state
    set_state(WORKFLOW, wf_ex, new, info,
              what=f"workflow execution '{wf_ex.workflow_name}' [id={wf_ex.id}]")
    if old == new:
        return
    if new in states.TERMINAL:
        w.release_trust(wf_ex)
    event = _WF_EVENTS.get(new)
    if new == states.RUNNING:
        event = {states.PAUSED: notifiers.WORKFLOW_RESUMED,
                 states.ERROR: notifiers.WORKFLOW_RERUN}.get(old)
    if event:
        w.notify(wf_ex, event)


def drain(w: Work) -> None:
    while True:
        while w.commands or w.finished:
            if w.commands:
                wf_ex, cmd = w.commands.popleft()
                if isinstance(cmd, RunTask) and _plain_run(cmd) and w.commands \
                        and _plain_run(w.commands[0][1]):
                    _run_batch(w, wf_ex, cmd)
                else:
                    apply(w, wf_ex, cmd)
            else:
                wf_ex, task_ex = w.finished.popleft()
                route(w, wf_ex, task_ex)
        touched, w.touched = w.touched, {}
        for wf_ex in touched.values():
            check_completion(w, wf_ex)
        if not (w.commands or w.finished):
            w.flush_actions()
            return


# -- commands ---------------------------------------------------------------------


def _plain_run(cmd: Command) -> bool:
    return isinstance(cmd, RunTask) and not cmd.join and not cmd.merge_from


def _run_batch(w: Work, wf_ex: Any, first: RunTask) -> None:
    """Consecutive plain RunTask commands of one execution: rows inserted in one batch."""
    batch = [first]
    while w.commands and w.commands[0][0] is wf_ex and _plain_run(w.commands[0][1]):
        batch.append(w.commands.popleft()[1])  # type: ignore[arg-type]
    if states.is_terminal(wf_ex.state):
        return
    rows = tasks.create_tasks(w, wf_ex, batch)
    for cmd, row in zip(batch, rows):
        if states.is_terminal(wf_ex.state):
            return
        tasks.run_task(w, wf_ex, cmd, row)


def _run_task(w: Work, wf_ex: Any, cmd: RunTask) -> None:
    tasks.run_task(w, wf_ex, cmd)


def _wait(w: Work, wf_ex: Any, cmd: WaitForJoin) -> None:
    tasks.wait_for_join(w, wf_ex, cmd.task_name, cmd.ctx, cmd.arrived, cmd.dead,
                        cmd.triggered_by, cmd.event, cmd.failed)


def _fail_task(w: Work, wf_ex: Any, cmd: FailTask) -> None:
    tasks.fail_task(w, wf_ex, cmd.task_name, cmd.state_info, cmd.ctx)


def _fail(w: Work, wf_ex: Any, cmd: FailWorkflow) -> None:
    info = cmd.msg or f"Workflow failed by the 'fail' command of task '{cmd.task_name}'"
    finish_workflow(w, wf_ex, states.ERROR, info, cancel_rest=True, failed_task=cmd.task_name)


def _succeed(w: Work, wf_ex: Any, cmd: SucceedWorkflow) -> None:
    finish_workflow(w, wf_ex, states.SUCCESS, cmd.msg, cancel_rest=True)


def _pause(w: Work, wf_ex: Any, cmd: PauseWorkflow) -> None:
    if wf_ex.state == states.RUNNING:
        pause(w, wf_ex, cmd.msg)


def _rerun(w: Work, wf_ex: Any, cmd: RunExistingTask) -> None:
    task_ex = w.tx.task_executions.get(cmd.task_ex_id)
    tasks.launch(w, wf_ex, task_ex)


HANDLERS: dict[type, Callable[[Work, Any, Any], None]] = {
    RunTask: _run_task,
    WaitForJoin: _wait,
    FailTask: _fail_task,
    FailWorkflow: _fail,
    SucceedWorkflow: _succeed,
    PauseWorkflow: _pause,
    RunExistingTask: _rerun,
    Noop: lambda w, wf_ex, cmd: None,
    RevertTask: reverts.run,
    EndRevert: lambda w, wf_ex, cmd: finish_workflow(w, wf_ex, cmd.state, cmd.msg, revert=False),
}


def apply(w: Work, wf_ex: Any, cmd: Command) -> None:
    if states.is_terminal(wf_ex.state):
        LOG.debug("Command %s dropped: execution %s is %s", cmd, wf_ex.id, wf_ex.state)
        return
    HANDLERS[type(cmd)](w, wf_ex, cmd)


# -- routing ----------------------------------------------------------------------


def _join_state(w: Work, wf_ex: Any, name: str) -> JoinState:
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "name": name},
        sort_keys=("created_at",), sort_dirs=("desc",), limit=1,
        fields=("state", "runtime_context", "created_at"),
    )
    if not rows:
        return JoinState()
    row = rows[0]
    if row.state == states.WAITING:
        join = rc_of(row).get("join") or {}
        return JoinState(int(join.get("arrived", 0)), int(join.get("dead", 0)), "waiting",
                         tuple(join.get("failed") or ()))
    return JoinState(status="done")


def route(w: Work, wf_ex: Any, task_ex: Any) -> None:
    """Ask the controller what follows a finished task and queue it."""
    if wf_ex.state != states.RUNNING or task_ex.processed:
        return
    if reverts.is_revert(task_ex):
        reverts.on_done(w, wf_ex, task_ex)
        return
    spec = w.spec(wf_ex)
    outcome = TaskOutcome(
        task_ex.name, task_ex.id, task_ex.state, data.outbound_ctx(task_ex), task_ex.state_info
    )
    joins = {n: _join_state(w, wf_ex, n) for n in controller.join_targets(spec, task_ex.name)}
    current = data.task_dict(task_ex)

    def evaluate(value: Any, ctx: Any) -> Any:
        return data.evaluate(w, wf_ex, value, data.task_data(w, wf_ex, ctx), current)

    try:
        decision = controller.on_task_complete(
            spec, outcome, joins, FlowState.from_dict(rc_of(wf_ex).get("flow")), evaluate
        )
    except exc.MistralError as e:
        task_ex.processed = True
        finish_workflow(
            w, wf_ex, states.ERROR,
            f"Failed to evaluate transitions of task '{task_ex.name}': {e}", cancel_rest=True,
        )
        return
    set_rc(wf_ex, flow=decision.flow.to_dict())
    task_ex.processed = True
    task_ex.error_handled = decision.error_handled
    nxt = [c.task_name for c in decision.commands if isinstance(c, RunTask)]
    task_ex.has_next_tasks = bool(nxt)
    task_ex.next_tasks = nxt or None
    for cmd in decision.commands:
        w.push(wf_ex, cmd)


# -- completion -------------------------------------------------------------------


def check_completion(w: Work, wf_ex: Any) -> None:
    if wf_ex.state != states.RUNNING or reverts.reverting(wf_ex):
        return  # a revert ends with the planner's EndRevert
    if w.keeps_running(wf_ex):
        return  # a task this event started is active: nothing to count
    repo = w.tx.task_executions
    active = repo.count(workflow_execution_id=wf_ex.id, state=ACTIVE)
    if active:
        if graph_of(w.spec(wf_ex)).join_need and active == repo.count(
                workflow_execution_id=wf_ex.id, state=states.WAITING):
            _fail_stalled_joins(w, wf_ex)
        return
    if repo.count(workflow_execution_id=wf_ex.id, processed=False,
                  state=Filter("in", sorted(states.TERMINAL))):
        return  # routed by the next drain step or by resume
    errors = repo.list(
        filters={"workflow_execution_id": wf_ex.id, "state": states.ERROR,
                 "error_handled": False},
        fields=("name", "state_info", "created_at"), sort_keys=("created_at",),
    )
    cancelled = repo.list(
        filters={"workflow_execution_id": wf_ex.id, "state": states.CANCELLED},
        fields=("name", "created_at"), sort_keys=("created_at",),
    )
    state, info = controller.final_state(
        [(t.name, t.id, t.state_info) for t in errors], [t.name for t in cancelled],
        _failed_units(w, [t.id for t in errors]),
    )
    finish_workflow(w, wf_ex, state, info)


def _failed_units(w: Work, task_ids: list[str]) -> dict[str, list[str]]:
    """Per failed task, Mistral 23's line for each of its failed actions and subworkflows
    (``[action_ex_id=..., idx=...]: <its error>``; idx counts all of the task's units)."""
    if not task_ids:
        return {}
    found: dict[str, list[str]] = {}
    w.flush_actions()
    for repo, key in ((w.tx.action_executions, "action_ex_id"),
                      (w.tx.workflow_executions, "wf_ex_id")):
        rows = repo.list(filters={"task_execution_id": Filter("in", task_ids)},
                         fields=("id", "task_execution_id", "state", "output", "created_at"),
                         sort_keys=("created_at",))
        index: dict[str, int] = {}
        for r in rows:
            i = index.get(r.task_execution_id, 0)
            index[r.task_execution_id] = i + 1
            if r.state == states.ERROR:
                error = (r.output or {}).get("result", "Unknown") \
                    if isinstance(r.output, dict) or r.output is None else r.output
                # clipped: a subworkflow's error holds its own subworkflows' (nested
                # failures would double the text at every level)
                found.setdefault(r.task_execution_id, []).append(
                    f"[{key}={r.id}, idx={i}]: {clip(str(error), UNIT_ERROR_LIMIT)}")
    return found


UNIT_ERROR_LIMIT = 1024


def _fail_stalled_joins(w: Work, wf_ex: Any) -> None:
    spec = w.spec(wf_ex)
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "state": states.WAITING},
    )
    for row in rows:
        join = rc_of(row).get("join") or {}
        state = JoinState(int(join.get("arrived", 0)), int(join.get("dead", 0)), "waiting")
        info = direct.unsatisfied_join_info(spec, row.name, state)
        tasks.complete_task(w, wf_ex, row, states.ERROR, info, tasks.NOT_RUN, publish=False)


def _final_context(w: Work, wf_ex: Any) -> dict[str, Any]:
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "has_next_tasks": False},
        fields=("in_context", "published", "finished_at", "created_at"),
        sort_keys=("finished_at",),
    )
    w.with_data(wf_ex)
    ctx = dict(wf_ex.context or {})
    for row in rows:
        data.merge(ctx, data.outbound_ctx(row), w.s.settings.merge_strategy)
    return ctx


def _output_data(wf_ex: Any, final: dict[str, Any]) -> dict[str, Any]:
    """``$`` of ``output`` / ``output-on-error``: as Mistral 23, the input under the final
    context, and the execution's id and env (as a task's ``$`` has them)."""
    return {**(wf_ex.input or {}), **final, "__execution": {"id": wf_ex.id},
            "__env": (wf_ex.params or {}).get("env") or {}}


def _whole_context(final: dict[str, Any]) -> dict[str, Any]:
    """The output of a workflow without one: as Mistral 23, its final context (vars and
    what its tasks published; not its input) without the internal keys."""
    return {k: v for k, v in final.items() if not str(k).startswith("__")}


def finish_workflow(w: Work, wf_ex: Any, state: str, info: str | None,
                    cancel_rest: bool = False, revert: bool = True,
                    failed_task: str | None = None) -> None:
    """End the execution. An ERROR end of a workflow with ``revert-on-error`` (unless
    ``revert`` is False: a user's stop, a revert's own end) first reverts its tasks
    (``failed_task``: the task whose ``fail`` command ends it)."""
    if states.is_terminal(wf_ex.state):
        return
    if cancel_rest:
        cancel_active_tasks(w, wf_ex, f"Workflow finished with state {state}")
    if state == states.ERROR and revert and w.spec(wf_ex).revert_on_error \
            and not reverts.reverting(wf_ex) \
            and reverts.begin(w, wf_ex, info or "", states.ERROR, failed_task):
        return
    if reverts.reverting(wf_ex):
        reverts.abort(wf_ex)  # cancelled or stopped while reverting
    spec = w.spec(wf_ex)
    final = _final_context(w, wf_ex)
    ctx = _output_data(wf_ex, final)
    output: Any = {}
    try:
        if state == states.SUCCESS:
            # Like Mistral: without an 'output' the whole final context is the output.
            output = data.evaluate(w, wf_ex, spec.output, ctx, None) if spec.output \
                else _whole_context(final)
        elif state == states.ERROR:
            # As Mistral 23: the reason, then output-on-error or (without one, or when it
            # is empty) the whole final context.
            output = {"result": info}
            extra = None
            if spec.output_on_error is not None:
                extra = data.evaluate(w, wf_ex, spec.output_on_error, ctx, None)
            if not extra:
                extra = _whole_context(final)
            output = {**output, **extra} if isinstance(extra, dict) else extra
        elif state == states.CANCELLED:
            output = {"result": info}  # as Mistral 23
    except exc.MistralError as e:
        state = states.ERROR
        info = f"Failed to evaluate the output of workflow '{wf_ex.workflow_name}': {e}"
        output = {"result": info}
    wf_ex.output = output if output is not None else {}
    wf_state(w, wf_ex, state, info)
    w.notify_parent(wf_ex)


def cancel_active_tasks(w: Work, wf_ex: Any, info: str) -> None:
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "state": ACTIVE},
    )
    for row in rows:
        timers.cancel_units(w, row, info)
        tasks.task_state(row, states.CANCELLED, info)
        row.processed = True
        row.finished_at = w.now
        w.notify(wf_ex, notifiers.TASK_CANCELLED, row)


# -- pause / resume / stop --------------------------------------------------------


def _running_children(w: Work, wf_ex: Any, child_states: list[str]) -> list[Any]:
    task_rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "type": "WORKFLOW", "state": ACTIVE},
        fields=("id", "created_at"),
    )
    if not task_rows:
        return []
    return w.tx.workflow_executions.list(
        filters={"task_execution_id": Filter("in", [t.id for t in task_rows]),
                 "state": Filter("in", child_states)},
        fields=("id", "state"),
    )


def pause(w: Work, wf_ex: Any, msg: str | None = None) -> None:
    """RUNNING → PAUSED, down to the running subworkflows and up to the parent."""
    wf_state(w, wf_ex, states.PAUSED, msg)
    for child in _running_children(w, wf_ex, [states.RUNNING]):
        w.propagate(child.id, "pause", msg)
    w.notify_parent(wf_ex)


def resume(w: Work, wf_ex: Any, env: dict | None = None) -> None:
    """PAUSED → RUNNING; then do what was held back while paused."""
    if wf_ex.state != states.PAUSED:
        raise exc.InvalidStateTransitionError(
            f"Can not resume workflow execution '{wf_ex.workflow_name}' [id={wf_ex.id}]: "
            f"it is {wf_ex.state}, only a PAUSED execution can be resumed"
        )
    wf_state(w, wf_ex, states.RUNNING, None)
    if rc_of(wf_ex).get("paused_by_parent"):
        set_rc(wf_ex, paused_by_parent=None)
    if env:
        params = dict(wf_ex.params or {})
        params["env"] = {**(params.get("env") or {}), **env}
        wf_ex.params = params
    repo = w.tx.task_executions
    held = repo.list(
        filters={"workflow_execution_id": wf_ex.id, "processed": False,
                 "state": Filter("in", sorted(states.TERMINAL))},
        sort_keys=("created_at",),
    )
    for row in held:
        w.task_finished(wf_ex, row)
    for row in repo.list(filters={"workflow_execution_id": wf_ex.id, "state": states.IDLE},
                         sort_keys=("created_at",)):
        tasks.start_task(w, wf_ex, row)
    for row in repo.list(filters={"workflow_execution_id": wf_ex.id,
                                  "state": states.RUNNING_DELAYED}):
        deferred = rc_of(row).get("deferred")
        if deferred:
            set_rc(row, deferred=None)
            timers.fire_timer(w, wf_ex, row, deferred["handler"], deferred["args"])
    for row in repo.list(filters={"workflow_execution_id": wf_ex.id, "state": states.RUNNING,
                                  "items_failed": 0}):
        if rc_of(row).get("with_items"):
            tasks.launch_more(w, wf_ex, row)  # items held back while paused
    for child in _running_children(w, wf_ex, [states.PAUSED]):
        w.propagate(child.id, "resume", None)
    w.notify_parent(wf_ex)
    w.touch(wf_ex)


def stop(w: Work, wf_ex: Any, state: str, msg: str | None) -> None:
    """Cancel (or force to ERROR/SUCCESS) a workflow, its tasks and its subworkflows."""
    if state not in (states.CANCELLED, states.ERROR, states.SUCCESS):
        raise exc.InvalidStateTransitionError(
            f"Can not stop workflow execution [id={wf_ex.id}] with state {state}: "
            "use CANCELLED, ERROR or SUCCESS"
        )
    states.check_transition(WORKFLOW, wf_ex.state, state,
                            f"workflow execution '{wf_ex.workflow_name}' [id={wf_ex.id}]")
    info = msg or ("Workflow was cancelled" if state == states.CANCELLED else None)
    cancel_active_tasks(w, wf_ex, info or f"Workflow was stopped with state {state}")
    finish_workflow(w, wf_ex, state, info, revert=False)


def time_out(w: Work, wf_ex: Any) -> None:
    """The workflow's own ``timeout`` is due: a RUNNING or PAUSED execution fails (its
    active tasks and subworkflows are cancelled)."""
    if wf_ex.state not in (states.RUNNING, states.PAUSED) or reverts.reverting(wf_ex):
        return  # a revert under way is not cut short
    seconds = float(rc_of(wf_ex).get("timeout") or 0)
    info = f"Workflow '{wf_ex.workflow_name}' timed out after {seconds:g} seconds"
    finish_workflow(w, wf_ex, states.ERROR, info, cancel_rest=True)


def fail_hard(w: Work, wf_ex: Any, msg: str) -> None:
    """Fail an execution without evaluating anything (the last resort of an event)."""
    if states.is_terminal(wf_ex.state):
        return
    cancel_active_tasks(w, wf_ex, msg)
    if reverts.reverting(wf_ex):
        reverts.abort(wf_ex)
    wf_ex.output = {"result": msg}
    wf_state(w, wf_ex, states.ERROR, msg)
    w.notify_parent(wf_ex)
