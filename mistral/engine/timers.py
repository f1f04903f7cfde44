"""Task timers (wait-before, retry delay, wait-after, timeout) and stopping a task's units.

Timers are durable scheduler jobs whose args carry a token; a timer whose token is no
longer the task's current one (a retry re-armed it, the task moved on) does nothing.
While the execution is PAUSED a due timer is parked on the task and fired on resume.
"""

from __future__ import annotations

from typing import Any, Mapping

from mistral.db.filters import Filter
from mistral.engine.ports import TASK_COMPLETE, TASK_RETRY, TASK_START, TASK_TIMEOUT
from mistral.engine.tasks import complete_task, finish_task, launch, timer_is_current
from mistral.engine.work import Work, rc_of, set_rc
from mistral.workflow import states


def cancel_units(w: Work, task_ex: Any, info: str) -> None:
    """Stop what a task still runs: RUNNING actions cancelled, subworkflows cancelled."""
    w.flush_actions()
    running = w.tx.action_executions.list(
        filters={"task_execution_id": task_ex.id, "state": states.RUNNING}, fields=("id",))
    if running:
        w.tx.action_executions.update_where(
            {"state": states.CANCELLED, "state_info": info},
            id=Filter("in", [a.id for a in running]), state=states.RUNNING,
        )
        for a in running:
            w.cancel_action(a.id)  # the executor running it stops it (after commit)
    children = w.tx.workflow_executions.list(
        filters={"task_execution_id": task_ex.id,
                 "state": Filter("in", [states.RUNNING, states.PAUSED, states.IDLE])},
        fields=("id",),
    )
    for child in children:
        w.propagate(child.id, "cancel", info)


def fire_timer(
    w: Work, wf_ex: Any, task_ex: Any, handler: str, args: Mapping[str, Any]
) -> None:
    """A task timer is due: start / retry / complete / time out, unless it is stale."""
    if not timer_is_current(task_ex, handler, args.get("token")):
        return
    if states.is_terminal(wf_ex.state):
        return
    if wf_ex.state == states.PAUSED and handler != TASK_TIMEOUT:
        set_rc(task_ex, deferred={"handler": handler, "args": dict(args)})
        return
    if handler == TASK_TIMEOUT:
        if task_ex.state == states.RUNNING:
            timeout = rc_of(task_ex).get("timeout")
            info = f"Task '{task_ex.name}' timed out after {timeout} seconds"
            cancel_units(w, task_ex, info)
            finish_task(w, wf_ex, task_ex, states.ERROR, info, None)
        return
    if task_ex.state != states.RUNNING_DELAYED:
        return
    if handler in (TASK_START, TASK_RETRY):
        launch(w, wf_ex, task_ex)
    elif handler == TASK_COMPLETE:
        pending = rc_of(task_ex).get("pending") or {}
        complete_task(w, wf_ex, task_ex, pending.get("state", states.SUCCESS),
                      pending.get("info"), rc_of(task_ex).get("result"))
