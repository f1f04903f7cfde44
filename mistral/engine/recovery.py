"""The reconciler: finds non-terminal work whose messages were lost and repairs it.

Each pass is cheap (indexed queries, bounded batches) and every repair is an ordinary
engine event on one locked execution, so running it in every engine is safe:

1. **Lost actions** — RUNNING action executions never acknowledged by an executor
   within ``first_heartbeat_timeout``, or whose heartbeats stopped for
   ``max_missed_heartbeats * check_interval``: sent again when the task says
   ``safe-rerun`` (or the action was never acknowledged and was not re-sent yet),
   otherwise failed, so the task's retry policy decides.
2. **Stuck tasks** — RUNNING tasks untouched for ``integrity_check_delay`` whose units
   all finished (a lost result event) or whose subworkflows finished (a lost
   notification): their completion is replayed.
3. **Stuck executions** — RUNNING executions with no active task: completion is
   re-checked (and finished tasks not yet routed are routed); a RUNNING or PAUSED
   subworkflow out of line with its parent is aligned (``mistral.engine.repair``).

Steps 4-6 (parent → child, standalone actions, delayed and waiting tasks) live in
``mistral.engine.repair``. An action no executor took is never failed for that: it is
re-sent with backoff (``repair.resend_after``) until the task's own timeout fails it.
"""

from __future__ import annotations

import datetime
import functools
import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from mistral import exceptions as exc
from mistral.context import admin_context, owner_context
from mistral.db.filters import Filter
from mistral.engine import actions, repair, rerun, tasks, workflows
from mistral.engine.interface import ActionResult
from mistral.engine.work import Work, rc_of
from mistral.workflow import states

if TYPE_CHECKING:
    from mistral.engine.default_engine import DefaultEngine

LOG = logging.getLogger(__name__)
MAX_RESENDS = 3


def reconcile(engine: DefaultEngine) -> int:
    repaired = 0
    for step in (_lost_actions, _stuck_tasks, _stuck_workflows, _standalone,
                 repair.delayed_tasks):
        try:
            repaired += step(engine)
        except exc.MistralError as e:
            LOG.warning("Reconciler step %s failed: %s", step.__name__, e)
    return repaired


def _standalone(engine: DefaultEngine) -> int:
    return repair.standalone_actions(engine, engine.heartbeat_lag())


def _ago(engine: DefaultEngine, seconds: float) -> datetime.datetime:
    return engine.services.clock.now() - datetime.timedelta(seconds=seconds)


def _lost_actions(engine: DefaultEngine) -> int:
    s = engine.settings
    deadline = s.heartbeat_deadline
    if deadline is None:
        return 0
    lag = engine.heartbeat_lag()
    deadline += lag
    batch = s.integrity_check_batch_size * 20
    with engine._db.transaction(admin_context(), readonly=True) as tx:
        never = tx.action_executions.list(
            filters={"state": states.RUNNING, "accepted": False, "is_sync": True,
                     "workflow_execution_id": Filter("neq", None),
                     "created_at": Filter("lt", _ago(engine, s.first_heartbeat_timeout + lag))},
            fields=("id", "workflow_execution_id", "last_heartbeat", "created_at", "state",
                    "accepted", "runtime_context"), limit=batch,
        )
        # queued on a live executor (its heartbeat says so) or backing off: not yet
        never = [a for a in never if _is_stale(engine, a, lag)]
        silent = tx.action_executions.list(
            filters={"state": states.RUNNING, "accepted": True, "is_sync": True,
                     "last_heartbeat": Filter("lt", _ago(engine, deadline))},
            fields=("id", "workflow_execution_id"), limit=batch,
        )
        found = [(a.id, a.workflow_execution_id) for a in never + silent
                 if a.workflow_execution_id]
        owner = repair.owners(tx, [wf_ex_id for _, wf_ex_id in found])
    repaired = 0
    for action_ex_id, wf_ex_id in found:
        if wf_ex_id not in owner:
            continue
        repaired += bool(engine._locked(
            owner[wf_ex_id], wf_ex_id,
            functools.partial(_repair_action, engine, i=action_ex_id, lag=lag)))
    return repaired


def _is_stale(engine: DefaultEngine, action_ex: Any, lag: float = 0.0) -> bool:
    s = engine.settings
    if action_ex.state != states.RUNNING:
        return False
    if not action_ex.accepted:
        since = action_ex.last_heartbeat or action_ex.created_at
        resent = int(rc_of(action_ex).get("resent", 0))
        return since < _ago(engine, repair.resend_after(engine, resent) + lag)
    return action_ex.last_heartbeat is not None and \
        action_ex.last_heartbeat < _ago(engine, (s.heartbeat_deadline or 0) + lag)


def _repair_action(engine: DefaultEngine, w: Work, wf_ex: Any, i: str, lag: float = 0.0) -> bool:
    action_ex_id = i
    action_ex = w.tx.action_executions.get(action_ex_id)
    if not _is_stale(engine, action_ex, lag) or states.is_terminal(wf_ex.state):
        return False
    rc = rc_of(action_ex)
    request = rc.get("request") or {}
    resent = int(rc.get("resent", 0))
    if not action_ex.accepted:
        # queued work waits: nobody took it yet (a long queue, a broker failover, a
        # killed executor that had not started it), so it is sent again, with backoff;
        # the task's own timeout is what fails it
        LOG.warning("Re-sending action execution %s (not taken by any executor; re-send %d)",
                    action_ex_id, resent + 1)
        actions.resend(w, action_ex)
        return True
    if int(rc.get("reruns", 0)) < MAX_RESENDS and request.get("safe_rerun"):
        LOG.warning("Re-sending action execution %s (safe-rerun after lost heartbeat)",
                    action_ex_id)
        actions.resend(w, action_ex, rerun=True)
        return True
    engine._action_done(w, wf_ex, action_ex_id, ActionResult(
        error=f"Action execution [id={action_ex_id}, name={action_ex.name}] "
              "lost its executor (no heartbeat)"
    ))
    return True


def _stuck_tasks(engine: DefaultEngine) -> int:
    s = engine.settings
    if s.integrity_check_delay < 0:
        return 0
    with engine._db.transaction(admin_context(), readonly=True) as tx:
        rows = tx.task_executions.list(
            filters={"state": states.RUNNING,
                     "updated_at": Filter("lt", _ago(engine, s.integrity_check_delay))},
            fields=("id", "workflow_execution_id", "updated_at"), sort_keys=("updated_at",),
            limit=s.integrity_check_batch_size,
        )
        found = [(r.id, r.workflow_execution_id) for r in rows]
        owner = repair.owners(tx, [wf_ex_id for _, wf_ex_id in found])
    repaired = 0
    for task_ex_id, wf_ex_id in found:
        if wf_ex_id not in owner:
            continue
        repaired += bool(engine._locked(
            owner[wf_ex_id], wf_ex_id, functools.partial(_repair_task, engine, i=task_ex_id)))
    return repaired


def _repair_task(engine: DefaultEngine, w: Work, wf_ex: Any, i: str) -> bool:
    task_ex = w.tx.task_executions.get(i)
    if task_ex.state != states.RUNNING or wf_ex.state != states.RUNNING:
        return False
    task_ex.updated_at = w.now  # checked again only after another delay
    if task_ex.type == "WORKFLOW":
        children = w.tx.workflow_executions.list(
            filters={"task_execution_id": task_ex.id,
                     "state": Filter("in", sorted(states.TERMINAL))},
        )
        lost = [c for c in children if not rc_of(c).get("reported")]
        for child in lost:
            rerun.child_finished(w, wf_ex, child.id)
        return bool(lost)
    running = w.tx.action_executions.count(task_execution_id=task_ex.id, state=states.RUNNING)
    rc = rc_of(task_ex)
    launched = int(rc.get("launched", 0)) + len(rc.get("kept") or ())
    if running == 0 and task_ex.items_done < launched:
        _replay_units(w, wf_ex, task_ex)
        return True
    return False


def _replay_units(w: Work, wf_ex: Any, task_ex: Any) -> None:
    """Recount a task's finished units from its rows and finish it if all are done."""
    rows = w.tx.action_executions.list(
        filters={"task_execution_id": task_ex.id},
        fields=("state", "runtime_context", "created_at"), sort_keys=("created_at",),
    )
    latest: dict[int, str] = {}
    for r in rows:
        latest[int(rc_of(r).get("index", 0))] = r.state
    done = sum(1 for st in latest.values() if st in states.TERMINAL)
    failed = sum(1 for st in latest.values() if st in (states.ERROR, states.CANCELLED))
    LOG.warning("Task %s was stuck: replaying %d finished units", task_ex.id, done)
    task_ex.items_done = max(done - 1, 0)
    task_ex.items_failed = max(failed - (1 if failed else 0), 0)
    last_state = states.ERROR if failed else states.SUCCESS
    tasks.on_unit_done(w, wf_ex, task_ex, 0, last_state, rc_of(task_ex).get("first_error")
                       if failed else _single_result(w, task_ex))


def _single_result(w: Work, task_ex: Any) -> Any:
    if rc_of(task_ex).get("with_items"):
        return None
    rows = w.tx.action_executions.list(
        filters={"task_execution_id": task_ex.id, "state": states.SUCCESS},
        sort_keys=("created_at",), sort_dirs=("desc",), limit=1, fields=("output", "created_at"),
    )
    return (rows[0].output or {}).get("result") if rows else None


def _stuck_workflows(engine: DefaultEngine) -> int:
    """Executions due for a check (``next_check_at``): RUNNING ones with no active task,
    and RUNNING or PAUSED subworkflows out of line with their parent."""
    s = engine.settings
    delay = max(s.integrity_check_delay, 0)
    now = engine.services.clock.now()
    with engine._db.transaction(admin_context()) as tx:
        rows = tx.workflow_executions.list(
            filters={"state": Filter("in", [states.RUNNING, states.PAUSED]),
                     "next_check_at": Filter("lt", now)},
            fields=("id", "next_check_at", "state", "task_execution_id", "runtime_context",
                    "project_id", "auth_context"),
            sort_keys=("next_check_at",), limit=s.integrity_check_batch_size,
        )
        children = [SimpleNamespace(**r.to_dict()) for r in rows if r.task_execution_id]
        stuck = [(r.id, owner_context(r.auth_context, r.project_id)) for r in rows
                 if r.state == states.RUNNING and tx.task_executions.count(
                     workflow_execution_id=r.id, state=workflows.ACTIVE) == 0]
        if rows:
            tx.workflow_executions.update_where(
                {"next_check_at": now + datetime.timedelta(seconds=max(delay, 1))},
                id=Filter("in", [r.id for r in rows]),
            )
    aligned = 0
    for child in children:
        try:
            aligned += repair.align_child(engine, child)
        except exc.MistralError as e:
            LOG.warning("Aligning subworkflow %s with its parent failed: %s", child.id, e)
    for wf_ex_id, owner in stuck:
        engine._locked(owner, wf_ex_id, _recheck)
    return len(stuck) + aligned


def _recheck(w: Work, wf_ex: Any) -> None:
    held = w.tx.task_executions.list(
        filters={"workflow_execution_id": wf_ex.id, "processed": False,
                 "state": Filter("in", sorted(states.TERMINAL))},
        sort_keys=("created_at",),
    )
    for row in held:
        w.task_finished(wf_ex, row)
    w.touch(wf_ex)
