"""Reverting an execution: the engine's side of ``mistral.workflow.revert``.

A workflow with ``revert-on-error: true`` that would end in ERROR (``workflows.
finish_workflow``), or a finished ERROR / CANCELLED execution reverted on request
(``DefaultEngine.revert_workflow``), stays RUNNING while its reverts run. Each revert is a
task execution of its own, named ``revert:<task>`` and marked ``runtime_context
["revert_of"] = {"id", "task"}``: it runs the revert's action or workflow like any task
(retry, timeout, durable timers, the reconciler), with the reverted task's outbound
context as its data and that task as ``task()``. When it finishes it is routed here
instead of through the transitions; the planner's ``EndRevert`` ends the execution.

The progress is ``runtime_context["revert"]`` of the execution (``RevertState``), written
in the same transaction as every revert's start and end, so a crash loses nothing: a
revert whose action was lost is re-sent by the reconciler like any action.
"""

from __future__ import annotations

from typing import Any

from mistral import exceptions as exc
from mistral.db.filters import Filter
from mistral.engine import data, tasks
from mistral.engine.work import Work, rc_of, set_rc, set_state
from mistral.lang.specs import REVERT_PREFIX
from mistral.workflow import revert, states
from mistral.workflow.commands import RevertTask
from mistral.workflow.revert import RanTask, RevertState

WORKFLOW = "workflow"


def state_of(wf_ex: Any) -> RevertState | None:
    d = rc_of(wf_ex).get("revert")
    return RevertState.from_dict(d) if d else None


def reverting(wf_ex: Any) -> bool:
    """A revert of this execution is under way."""
    d = rc_of(wf_ex).get("revert")
    return bool(d) and not d.get("done")


def is_revert(task_ex: Any) -> bool:
    return bool(rc_of(task_ex).get("revert_of"))


def _ran_tasks(w: Work, wf_ex: Any, failed_task: str | None) -> list[RanTask]:
    """The task executions that ran to SUCCESS or ERROR, with their place in the
    execution's completion counter; the failed ones are those that caused the failure."""
    rows = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id,
                 "state": Filter("in", [states.SUCCESS, states.ERROR])},
        fields=("id", "name", "state", "error_handled", "runtime_context", "created_at"),
        sort_keys=("created_at",),
    )
    out = []
    for row in rows:
        rc = rc_of(row)
        if rc.get("revert_of") or "seq_start" not in rc or "seq_done" not in rc:
            continue  # a revert itself, or a task that never ran (a join that failed)
        failed = row.state == states.ERROR and (not row.error_handled or row.name == failed_task)
        out.append(RanTask(row.id, row.name, int(rc["seq_start"]), int(rc["seq_done"]), failed))
    return out


def begin(w: Work, wf_ex: Any, failure: str, end_state: str,
          failed_task: str | None = None) -> bool:
    """Start reverting instead of ending in ``end_state`` with ``failure``; False when
    there is nothing to revert (the caller ends the execution as it would have)."""
    decision = revert.plan(w.spec(wf_ex), _ran_tasks(w, wf_ex, failed_task), failure,
                           end_state, state_of(wf_ex))
    if decision.state is None:
        return False
    set_rc(wf_ex, revert=decision.state.to_dict())
    info = f"Reverting tasks after the failure:\n{failure}"
    if wf_ex.state != states.RUNNING:
        # back to RUNNING to run the reverts (no RESUMED/RERUN event: nothing reruns)
        set_state(WORKFLOW, wf_ex, states.RUNNING, info,
                  what=f"workflow execution '{wf_ex.workflow_name}' [id={wf_ex.id}]")
    else:
        wf_ex.state_info = info
    for cmd in decision.commands:
        w.push(wf_ex, cmd)
    w.touch(wf_ex)
    return True


def request(w: Work, wf_ex: Any) -> None:
    """Revert a finished ERROR or CANCELLED execution on request."""
    what = f"Workflow execution '{wf_ex.workflow_name}' [id={wf_ex.id}]"
    if wf_ex.state not in (states.ERROR, states.CANCELLED):
        raise exc.InvalidStateTransitionError(
            f"{what} is {wf_ex.state}: only an ERROR or CANCELLED execution can be reverted")
    if wf_ex.task_execution_id:
        raise exc.InvalidStateTransitionError(
            f"{what} is a subworkflow: revert its top-level execution (a subworkflow with "
            "revert-on-error reverts its own tasks when it fails)")
    if not w.spec(wf_ex).reverts:
        raise exc.InputError(f"{what}: no task of workflow '{wf_ex.workflow_name}' has a "
                             "'revert', there is nothing to revert")
    previous = state_of(wf_ex)
    failure = previous.failure if previous is not None else (wf_ex.state_info or "")
    if not begin(w, wf_ex, failure, wf_ex.state):
        raise exc.InputError(f"{what}: every task that ran is reverted already, or none "
                             "that has a 'revert' ran: there is nothing to revert")


def run(w: Work, wf_ex: Any, cmd: RevertTask) -> None:
    """Create the task execution ``revert:<task>`` and start it."""
    original = w.tx.task_executions.get(cmd.task_ex_id)
    name = REVERT_PREFIX + cmd.task_name
    row = tasks.create_task(w, wf_ex, name, data.outbound_ctx(original), states.IDLE)
    set_rc(row, revert_of={"id": original.id, "task": original.name},
           triggered_by=[{"task_id": original.id, "event": "revert"}])
    tasks.start_task(w, wf_ex, row)


def on_done(w: Work, wf_ex: Any, task_ex: Any) -> None:
    """A revert finished: record it and queue what the planner says comes next."""
    task_ex.processed = True
    task_ex.error_handled = True  # its failure is reported by the revert, not as a task's
    current = state_of(wf_ex)
    if current is None:
        return
    of = rc_of(task_ex)["revert_of"]
    decision = revert.on_revert_done(current, of["id"], task_ex.state == states.SUCCESS,
                                     task_ex.id, task_ex.state_info)
    if decision.state is not None:
        set_rc(wf_ex, revert=decision.state.to_dict())
    for cmd in decision.commands:
        w.push(wf_ex, cmd)


def abort(wf_ex: Any) -> None:
    """The execution ends while reverting (cancelled, stopped): reverts not finished
    count as not done, so a later revert on request runs them."""
    current = state_of(wf_ex)
    if current is not None:
        set_rc(wf_ex, revert=revert.abort(current).to_dict())
