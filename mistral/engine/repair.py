"""Reconciler steps for links a crash can break between rows (see ``mistral.engine.recovery``).

4. **Parent → child** — pause, resume and cancel reach a subworkflow through an
   after-commit event; if that event is lost the child is brought in line with its
   parent: a terminal parent cancels it, a PAUSED parent pauses it, a parent resumed
   after the child paused resumes it (and a child paused on its own pauses its parent).
5. **Standalone actions** (``run-action``): never acknowledged ones are re-sent with
   backoff until their own timeout; silent ones (heartbeats stopped) and lost
   synchronous calls fail.
6. **Delayed and waiting tasks** — a RUNNING_DELAYED task whose timer job is gone (a
   dropped job) fires it now; WAITING joins are re-checked (a join that can never be
   satisfied fails).

Scans look across projects (``admin_context``, read-only); every repair acts as the
row's owner: the auth context its execution (or standalone action) was started with
(``mistral.context.owner_context``), never as admin and never as a bare project.
"""

from __future__ import annotations

import datetime
import functools
import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from mistral import exceptions as exc
from mistral.context import RequestContext, admin_context, owner_context
from mistral.db.filters import Filter
from mistral.engine import actions, rerun, tasks, timers
from mistral.engine.ports import TASK_TIMEOUT
from mistral.engine.work import Work, rc_of, set_rc
from mistral.workflow import states

if TYPE_CHECKING:
    from mistral.engine.default_engine import DefaultEngine

LOG = logging.getLogger(__name__)
#: the backoff of re-sending an action nobody took grows to this many times the
#: first-heartbeat timeout, then stays there
MAX_BACKOFF_FACTOR = 8


def owners(tx: Any, wf_ex_ids: Any) -> dict[str, RequestContext]:
    """The context each execution's events act as (its stored owner context, as
    ``DefaultEngine.in_tx`` rebuilds it), for executions a scan found: one query."""
    ids = sorted(set(wf_ex_ids))
    found: dict[str, RequestContext] = {}
    for start in range(0, len(ids), 500):
        for row in tx.workflow_executions.list(
                filters={"id": Filter("in", ids[start:start + 500])},
                fields=("id", "project_id", "auth_context")):
            found[row.id] = owner_context(row.auth_context, row.project_id)
    return found


def resend_after(engine: DefaultEngine, resent: int) -> float:
    """Seconds an unacknowledged action waits before its next re-send (backoff)."""
    return engine.settings.first_heartbeat_timeout * min(2 ** max(resent, 0), MAX_BACKOFF_FACTOR)


def _ago(engine: DefaultEngine, seconds: float) -> datetime.datetime:
    return engine.services.clock.now() - datetime.timedelta(seconds=seconds)


# -- 4. parent -> child -------------------------------------------------------------


def align_child(engine: DefaultEngine, child: Any) -> bool:
    """Bring a RUNNING or PAUSED subworkflow in line with its parent; True if changed."""
    with engine._db.transaction(admin_context(), readonly=True) as tx:
        task = tx.task_executions.find(id=child.task_execution_id,
                                       fields=("workflow_execution_id",))
        row = None if task is None else tx.workflow_executions.find(
            id=task.workflow_execution_id, fields=("id", "state", "project_id", "auth_context"))
        if row is None:
            return False
        parent = SimpleNamespace(id=row.id, state=row.state,
                                 owner=owner_context(row.auth_context, row.project_id))
    op = _parent_op(parent, child)
    ctx = owner_context(getattr(child, "auth_context", None), child.project_id)
    if op == "up":
        LOG.warning("Subworkflow %s is PAUSED but its parent %s is RUNNING: pausing the parent",
                    child.id, parent.id)
        engine.on_subworkflow_finished(parent.owner, child.id)
        return True
    if op is None:
        return False
    LOG.warning("Subworkflow %s is %s but its parent %s is %s: %s it",
                child.id, child.state, parent.id, parent.state, op)
    msg = f"Parent workflow execution [id={parent.id}] is {parent.state}"
    engine._guarded(ctx, child.id, lambda w, wf_ex: rerun.propagate(w, wf_ex, op, msg))
    return True


def _parent_op(parent: Any, child: Any) -> str | None:
    if states.is_terminal(parent.state):
        return "cancel"
    if parent.state == states.PAUSED and child.state == states.RUNNING:
        return "pause"
    if parent.state == states.RUNNING and child.state == states.PAUSED:
        # a child its parent paused lost the parent's resume on the way down; a child
        # paused on its own lost its pause on the way up
        return "resume" if rc_of(child).get("paused_by_parent") else "up"
    return None


# -- 5. standalone actions ----------------------------------------------------------


def standalone_actions(engine: DefaultEngine, lag: float) -> int:
    s = engine.settings
    if s.heartbeat_deadline is None:
        return 0
    with engine._db.transaction(admin_context(), readonly=True) as tx:
        rows = tx.action_executions.list(
            filters={"state": states.RUNNING, "workflow_execution_id": None,
                     "task_execution_id": None, "is_sync": True,
                     "created_at": Filter("lt", _ago(engine, s.first_heartbeat_timeout + lag))},
            fields=("id", "name", "project_id", "accepted", "last_heartbeat", "created_at",
                    "runtime_context", "state", "auth_context"),
            sort_keys=("created_at",), limit=s.integrity_check_batch_size * 20,
        )
        found = [(r.id, owner_context(r.auth_context, r.project_id))
                 for r in rows if standalone_verdict(engine, r, lag)]
    repaired = 0
    for action_ex_id, owner in found:
        try:
            repaired += _repair_standalone(engine, owner, action_ex_id, lag)
        except exc.MistralError as e:
            LOG.warning("Repairing action execution %s failed: %s", action_ex_id, e)
    return repaired


def standalone_verdict(engine: DefaultEngine, row: Any, lag: float) -> str | None:
    """None (healthy), ``resend`` or an error message for a RUNNING standalone action."""
    s = engine.settings
    rc = rc_of(row)
    request = rc.get("request") or {}
    timeout = float(request.get("timeout") or 0)
    if row.accepted:
        if row.last_heartbeat is not None and \
                row.last_heartbeat < _ago(engine, (s.heartbeat_deadline or 0) + lag):
            return f"Action execution [id={row.id}, name={row.name}] lost its executor (no heartbeat)"
        return None
    if rc.get("sync_call"):
        # the caller waited on a synchronous call that no executor answered: it got an
        # error (or its engine died); running the action now would surprise everyone
        if row.created_at < _ago(engine, s.first_heartbeat_timeout + timeout + lag):
            return f"Action execution [id={row.id}] was not run: its synchronous call was lost"
        return None
    if timeout and row.created_at < _ago(engine, timeout + lag):
        return (f"Action execution [id={row.id}] was not taken by any executor within its "
                f"timeout ({timeout:g} s)")
    since = row.last_heartbeat or row.created_at
    if since < _ago(engine, resend_after(engine, int(rc.get("resent", 0))) + lag):
        return "resend"
    return None


def _repair_standalone(engine: DefaultEngine, ctx: RequestContext, action_ex_id: str,
                       lag: float) -> bool:
    with engine._db.transaction(ctx) as tx:
        row = tx.action_executions.get(action_ex_id)
        verdict = standalone_verdict(engine, row, lag) if row.state == states.RUNNING else None
        if verdict is None:
            return False
        if verdict == "resend":
            LOG.warning("Re-sending standalone action execution %s (not taken by any executor)",
                        action_ex_id)
            actions.resend(Work(engine.services, tx), row)
            return True
        LOG.warning("%s", verdict)
        # only a row still RUNNING changes: a result that just arrived wins
        return tx.action_executions.update_where(
            {"state": states.ERROR, "state_info": verdict, "output": {"result": verdict}},
            id=action_ex_id, state=states.RUNNING,
        ) == 1


# -- 6. delayed and waiting tasks ---------------------------------------------------


def delayed_tasks(engine: DefaultEngine) -> int:
    s = engine.settings
    if s.integrity_check_delay < 0:
        return 0
    with engine._db.transaction(admin_context(), readonly=True) as tx:
        rows = tx.task_executions.list(
            filters={"state": Filter("in", [states.RUNNING_DELAYED, states.WAITING]),
                     "updated_at": Filter("lt", _ago(engine, s.integrity_check_delay))},
            fields=("id", "workflow_execution_id", "project_id", "updated_at"),
            sort_keys=("updated_at",), limit=s.integrity_check_batch_size,
        )
        found = [(r.id, r.workflow_execution_id) for r in rows]
        owner = owners(tx, [wf_ex_id for _, wf_ex_id in found])
    repaired = 0
    for task_ex_id, wf_ex_id in found:
        if wf_ex_id not in owner:
            continue
        try:
            repaired += bool(engine._guarded(
                owner[wf_ex_id], wf_ex_id,
                functools.partial(_repair_delayed, engine, i=task_ex_id)))
        except exc.MistralError as e:
            LOG.warning("Repairing task execution %s failed: %s", task_ex_id, e)
    return repaired


def _repair_delayed(engine: DefaultEngine, w: Work, wf_ex: Any, i: str) -> bool:
    task_ex = w.tx.task_executions.get(i)
    if wf_ex.state != states.RUNNING:
        return False
    task_ex.updated_at = w.now  # checked again only after another delay
    if task_ex.state == states.WAITING:
        w.touch(wf_ex)  # a join that can never be satisfied fails (check_completion)
        return False
    if task_ex.state != states.RUNNING_DELAYED:
        return False
    handler = rc_of(task_ex).get("delayed")
    token = (rc_of(task_ex).get("timers") or {}).get(handler) if handler else None
    if not handler or token is None or handler == TASK_TIMEOUT:
        return False
    key = tasks.timer_key(handler, task_ex.id, int(token))
    if w.s.scheduler.has_job(w.tx, key):
        return False
    LOG.warning("Task %s is %s but its timer %s is gone: firing it now",
                task_ex.id, task_ex.state, key)
    set_rc(task_ex, delayed=None)
    timers.fire_timer(w, wf_ex, task_ex, handler, {"token": token})
    return True
