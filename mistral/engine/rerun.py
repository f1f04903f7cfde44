"""Events between executions and on failed tasks: rerun, subworkflow results, propagation.

A parent and its subworkflows are never changed in one transaction: each hop (child
finished → parent, parent paused → child, child rerun → parent reopened) is its own
event, queued after commit, and the reconciler repeats any hop a crash lost.
"""

from __future__ import annotations

import logging
from typing import Any

from mistral import exceptions as exc
from mistral.engine import specs, tasks, workflows
from mistral.engine.work import Work, rc_of, set_rc
from mistral.workflow import states

LOG = logging.getLogger(__name__)


def _kept_items(w: Work, task_ex: Any) -> dict[int, Any]:
    """Indices of with-items units whose latest run succeeded."""
    latest: dict[int, str] = {}
    w.flush_actions()
    if task_ex.type == "WORKFLOW":
        rows = w.tx.workflow_executions.list(
            filters={"task_execution_id": task_ex.id},
            fields=("state", "runtime_context", "created_at"), sort_keys=("created_at",),
        )
    else:
        rows = w.tx.action_executions.list(
            filters={"task_execution_id": task_ex.id},
            fields=("state", "runtime_context", "created_at"), sort_keys=("created_at",),
        )
    for r in rows:
        latest[int(rc_of(r).get("index", 0))] = r.state
    return {i: True for i, s in latest.items() if s == states.SUCCESS}


def rerun_task(w: Work, wf_ex: Any, task_ex: Any, reset: bool, skip: bool,
               env: dict | None) -> None:
    """Run a failed task again (``reset`` False keeps succeeded with-items)."""
    if rc_of(task_ex).get("revert_of"):
        raise exc.InvalidStateTransitionError(
            f"Task execution '{task_ex.name}' [id={task_ex.id}] is a revert: revert the "
            f"workflow execution again to run what is not reverted yet")
    if task_ex.state != states.ERROR:
        raise exc.InvalidStateTransitionError(
            f"Task execution '{task_ex.name}' [id={task_ex.id}] can be rerun only from "
            f"ERROR, it is {task_ex.state}"
        )
    if wf_ex.state not in (states.ERROR, states.RUNNING, states.PAUSED):
        raise exc.InvalidStateTransitionError(
            f"Workflow execution [id={wf_ex.id}] is {wf_ex.state}: only a failed workflow "
            "can be rerun"
        )
    if wf_ex.state == states.ERROR:
        workflows.wf_state(w, wf_ex, states.RUNNING, None)
    if env:
        params = dict(wf_ex.params or {})
        params["env"] = {**(params.get("env") or {}), **env}
        wf_ex.params = params
    task_ex.processed = False
    task_ex.error_handled = False
    # as Mistral 23, a rerun or skip forgets what triggered the task the first time
    set_rc(task_ex, retry_no=None, pending=None, waited_after=None, deferred=None,
           triggered_by=None)
    if skip:  # as Mistral 23: SKIPPED, publish-on-skip, then on-skip (else on-success)
        tasks.complete_task(w, wf_ex, task_ex, states.SKIPPED, "Task was skipped.",
                            rc_of(task_ex).get("result"))
    else:
        keep = None if reset or not rc_of(task_ex).get("with_items") else _kept_items(w, task_ex)
        tasks.launch(w, wf_ex, task_ex, keep=keep)
    if wf_ex.task_execution_id:
        set_rc(wf_ex, reported=None)
        w.notify_parent(wf_ex)  # the parent task and execution run again too


def child_finished(w: Work, parent: Any, child_id: str) -> None:
    """A subworkflow finished, paused, resumed or was rerun: bring its parent in line.

    Finished: its parent task counts one unit done (once). Paused: a RUNNING parent
    pauses too. Running again: a PAUSED parent resumes; a parent task that had failed
    (the child was rerun) runs again, and so does its execution.
    """
    # the child's runtime_context changes here ("reported"): its row is locked too
    # (always parent first, then child; no event locks them the other way round)
    child = w.tx.workflow_executions.lock(child_id, fields=specs.EVENT_FIELDS)
    task_ex = w.tx.task_executions.find(id=child.task_execution_id)
    if task_ex is None:
        return
    if states.is_terminal(child.state):
        if rc_of(child).get("reported"):
            return
        set_rc(child, reported=True)
        index = int(rc_of(child).get("index", 0))
        # as Mistral 23: the task's result is the subworkflow's output, a failed one's too
        # (its error is the subworkflow's state info)
        info = None if child.state == states.SUCCESS else child.state_info
        tasks.on_unit_done(w, parent, task_ex, index, child.state, child.output, info=info)
    elif child.state == states.RUNNING:
        if task_ex.state == states.ERROR:
            _reopen(w, parent, task_ex)
        elif parent.state == states.PAUSED:
            workflows.resume(w, parent, None)
    elif child.state == states.PAUSED and parent.state == states.RUNNING:
        workflows.pause(w, parent, f"Subworkflow '{child.workflow_name}' [id={child.id}] "
                                   "was paused")


def _reopen(w: Work, parent: Any, task_ex: Any) -> None:
    """A rerun subworkflow runs again: its parent task and execution run again too."""
    tasks.task_state(task_ex, states.RUNNING)
    task_ex.processed = False
    task_ex.error_handled = False
    task_ex.items_done = max(task_ex.items_done - 1, 0)
    task_ex.items_failed = max(task_ex.items_failed - 1, 0)
    set_rc(task_ex, first_error=None)
    if parent.state == states.ERROR:
        workflows.wf_state(w, parent, states.RUNNING, None)
        w.notify_parent(parent)


def propagate(w: Work, wf_ex: Any, op: str, msg: str | None) -> None:
    """Apply a parent's pause / resume / cancel to this (sub)workflow, if still relevant."""
    if op == "pause" and wf_ex.state == states.RUNNING:
        workflows.pause(w, wf_ex, msg)
        set_rc(wf_ex, paused_by_parent=True)  # the reconciler resumes it with its parent
    elif op == "resume" and wf_ex.state == states.PAUSED:
        workflows.resume(w, wf_ex, None)
    elif op == "cancel" and not states.is_terminal(wf_ex.state):
        workflows.stop(w, wf_ex, states.CANCELLED, msg)
