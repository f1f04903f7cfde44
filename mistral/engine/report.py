"""The data of ``GET /v2/executions/<id>/report``: an execution tree with statistics.

``build_report(db, ctx, wf_ex_id, errors_only=False, max_depth=-1, statistics_only=False)``
returns ``{"root_workflow_execution": {...}, "statistics": {...}}`` (or only the
statistics). Each workflow entry lists its task executions; each task its action
executions or its subworkflow entries (recursively, down to ``max_depth``; -1: all,
0: the root and its tasks only). With ``errors_only`` only the paths that lead to an
ERROR are kept. Read-only: one read transaction, no lock.
"""

from __future__ import annotations

import datetime
from typing import Any

from mistral.context import RequestContext
from mistral.db.filters import Filter
from mistral.workflow import states

_WF_FIELDS = ("id", "name", "workflow_name", "state", "state_info", "created_at",
              "updated_at", "task_execution_id", "root_execution_id")
_TASK_FIELDS = ("id", "name", "state", "state_info", "type", "created_at", "updated_at",
                "started_at", "finished_at", "workflow_execution_id")
_ACTION_FIELDS = ("id", "name", "state", "state_info", "created_at", "updated_at",
                  "last_heartbeat", "task_execution_id")

_STAT_KEYS = {
    states.RUNNING: "running_tasks_count",
    states.RUNNING_DELAYED: "running_tasks_count",
    states.WAITING: "idle_tasks_count",
    states.IDLE: "idle_tasks_count",
    states.PAUSED: "paused_tasks_count",
    states.SUCCESS: "success_tasks_count",
    states.ERROR: "error_tasks_count",
    states.CANCELLED: "cancelled_tasks_count",
}


def _entry(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        value = getattr(row, f, None)
        out[f] = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value
    return out


def _empty_stats() -> dict[str, int]:
    stats = {k: 0 for k in set(_STAT_KEYS.values())}
    stats["total_tasks_count"] = 0
    return stats


_CHUNK = 500


class _Builder:
    """Builds the tree level by level: one query for a workflow's tasks, then one (per
    500 tasks) for all their action executions and one for all their subworkflows,
    never one query per task."""

    def __init__(self, tx: Any, errors_only: bool, max_depth: int) -> None:
        self.tx = tx
        self.errors_only = errors_only
        self.max_depth = max_depth
        self.stats = _empty_stats()

    def _children(self, repo: Any, task_ids: list[str], fields: tuple[str, ...]
                  ) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for start in range(0, len(task_ids), _CHUNK):
            rows = repo.list(
                filters={"task_execution_id": Filter("in", task_ids[start:start + _CHUNK])},
                fields=fields, sort_keys=("created_at",),
            )
            for row in rows:
                if not self.errors_only or row.state == states.ERROR:
                    out.setdefault(row.task_execution_id, []).append(row)
        return out

    def workflow(self, wf_ex: Any, depth: int) -> dict[str, Any]:
        entry = _entry(wf_ex, _WF_FIELDS)
        rows = self.tx.task_executions.list(
            filters={"workflow_execution_id": wf_ex.id}, fields=_TASK_FIELDS,
            sort_keys=("created_at",),
        )
        kept = []
        for task_ex in rows:
            self.stats["total_tasks_count"] += 1
            self.stats[_STAT_KEYS.get(task_ex.state, "idle_tasks_count")] += 1
            if not self.errors_only or task_ex.state == states.ERROR:
                kept.append(task_ex)
        actions = self._children(self.tx.action_executions,
                                 [t.id for t in kept if t.type != "WORKFLOW"], _ACTION_FIELDS)
        subs = self._children(self.tx.workflow_executions,
                              [t.id for t in kept if t.type == "WORKFLOW"], _WF_FIELDS)
        entry["task_executions"] = [self.task(t, depth, actions, subs) for t in kept]
        return entry

    def task(self, task_ex: Any, depth: int, actions: dict[str, list[Any]],
             subs: dict[str, list[Any]]) -> dict[str, Any]:
        entry = _entry(task_ex, _TASK_FIELDS)
        if task_ex.type == "WORKFLOW":
            children = subs.get(task_ex.id, [])
            if self.max_depth < 0 or depth < self.max_depth:
                entry["workflow_executions"] = [self.workflow(c, depth + 1) for c in children]
            else:
                entry["workflow_executions"] = [_entry(c, _WF_FIELDS) for c in children]
        else:
            entry["action_executions"] = [
                _entry(a, _ACTION_FIELDS) for a in actions.get(task_ex.id, [])]
        return entry


def build_report(
    db: Any,
    ctx: RequestContext,
    wf_ex_id: str,
    errors_only: bool = False,
    max_depth: int = -1,
    statistics_only: bool = False,
) -> dict[str, Any]:
    """The report of one execution; ``NotFoundError`` when it does not exist."""
    with db.transaction(ctx, readonly=True) as tx:
        root = tx.workflow_executions.get(wf_ex_id, fields=_WF_FIELDS)
        builder = _Builder(tx, errors_only, max_depth)
        tree = builder.workflow(root, 0)
        if statistics_only:
            return {"statistics": builder.stats}
        return {"root_workflow_execution": tree, "statistics": builder.stats}
