"""Execution trees: ``/v2/executions/<id>/executions``, ``/v2/tasks/<id>/executions``
and ``/v2/executions/<id>/report``.

A whole tree is read with a fixed number of queries (executions of the root, their
tasks, the tasks' action executions) and assembled in memory: no query per node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pecan import rest

from mistral.api import http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.execution_type import PLAIN_FIELDS, Execution, render
from mistral.api.controllers.v2.resource import datetime_to_str
from mistral.db.filters import Filter
from mistral.workflow import states

TASK_COLUMNS = ("id", "name", "type", "state", "state_info", "workflow_execution_id",
                "created_at", "updated_at", "started_at", "finished_at", "project_id")
ACTION_COLUMNS = ("id", "name", "state", "state_info", "task_execution_id", "accepted",
                  "last_heartbeat", "created_at", "updated_at", "project_id")
# What a report shows of an execution (and needs to walk the tree): nothing else is loaded.
REPORT_EXEC_COLUMNS = ("id", "workflow_id", "workflow_name", "task_execution_id",
                       "root_execution_id", "state", "state_info", "created_at", "updated_at")
EXEC_COLUMNS = ("id", "workflow_id", "workflow_name", "workflow_namespace", "description",
                "tags", "params", "task_execution_id", "root_execution_id", "state",
                "state_info", "input", "created_at", "updated_at", "project_id")


class Tree:
    """One execution tree loaded in three queries."""

    def __init__(self, tx: Any, root_id: str, with_actions: bool = False,
                 exec_fields: tuple[str, ...] | None = None) -> None:
        ex_repo = tx.workflow_executions
        root = ex_repo.get(root_id, fields=exec_fields)
        top = root.root_execution_id or root.id
        self.executions: dict[str, Any] = {
            e.id: e for e in ex_repo.list(filters={"root_execution_id": top},
                                          sort_keys=("created_at",), sort_dirs=("asc",),
                                          fields=exec_fields)
        }
        if top == root.id:
            self.executions[root.id] = root
        else:
            self.executions.setdefault(root.id, root)
        ids = list(self.executions)
        self.tasks: dict[str, Any] = {
            t.id: t for t in tx.task_executions.list(
                filters={"workflow_execution_id": Filter("in", ids)},
                sort_keys=("created_at",), sort_dirs=("asc",), fields=TASK_COLUMNS,
            )
        }
        self.tasks_of: dict[str, list[Any]] = defaultdict(list)
        for t in self.tasks.values():
            self.tasks_of[t.workflow_execution_id].append(t)
        self.subs_of_task: dict[str, list[Any]] = defaultdict(list)
        for e in self.executions.values():
            if e.task_execution_id:
                self.subs_of_task[e.task_execution_id].append(e)
        self.actions_of: dict[str, list[Any]] = defaultdict(list)
        if with_actions and self.tasks:
            for a in tx.action_executions.list(
                filters={"task_execution_id": Filter("in", list(self.tasks))},
                sort_keys=("created_at",), sort_dirs=("asc",), fields=ACTION_COLUMNS,
            ):
                self.actions_of[a.task_execution_id].append(a)

    def children(self, ex_id: str) -> list[Any]:
        out: list[Any] = []
        for t in self.tasks_of.get(ex_id, ()):
            out.extend(self.subs_of_task.get(t.id, ()))
        return out

    def descendants(self, start: Iterable[Any], max_depth: int) -> list[Any]:
        """``start`` and the executions below them, breadth first, to ``max_depth`` levels."""
        result: list[Any] = []
        level = list(start)
        depth = 0
        while level:
            result.extend(level)
            if 0 <= max_depth <= depth:
                break
            level = [c for e in level for c in self.children(e.id)]
            depth += 1
        return result


def sub_executions(tx: Any, execution_id: str, max_depth: int, errors_only: bool) -> list[Any]:
    tree = Tree(tx, execution_id)
    rows = tree.descendants([tree.executions[execution_id]], max_depth)
    return [r for r in rows if not errors_only or r.state == states.ERROR]


def task_sub_executions(tx: Any, task_id: str, max_depth: int, errors_only: bool) -> list[Any]:
    task = tx.task_executions.get(task_id, fields=("id", "workflow_execution_id"))
    tree = Tree(tx, task.workflow_execution_id)
    start = tree.subs_of_task.get(task_id, [])
    rows = tree.descendants(start, max_depth - 1 if max_depth > 0 else max_depth)
    return [r for r in rows if not errors_only or r.state == states.ERROR]


def _entry(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for f in fields:
        v = getattr(row, f, None)
        out[f] = datetime_to_str(v) if f.endswith("_at") or f == "last_heartbeat" else v
    return out


# Mistral 23's statistics: these counts (a task in another state counts in the total only)
# and estimated_time.
STAT_STATES = (states.RUNNING, states.SUCCESS, states.ERROR, states.IDLE, states.PAUSED)
ESTIMATE_SAMPLE = 20


def estimated_time(tx: Any, ex: Any, now: Any) -> int:
    """As Mistral 23: 0 unless RUNNING; then the average run time of the workflow's last
    successful executions minus the time this one has run (-1 without any, at least 1)."""
    if ex.state != states.RUNNING:
        return 0
    done = tx.workflow_executions.list(
        filters={"workflow_id": ex.workflow_id, "state": states.SUCCESS},
        limit=ESTIMATE_SAMPLE, fields=("id", "created_at", "updated_at"))
    runs = [(d.updated_at - d.created_at).total_seconds() for d in done
            if d.updated_at and d.created_at]
    if not runs:
        return -1
    left = int(sum(runs) / len(runs) - (now - ex.created_at).total_seconds())
    return left if left > 0 else 1


def _wf_entry(ex: Any) -> dict[str, Any]:
    entry = _entry(ex, ("id", "state", "state_info", "created_at", "updated_at"))
    entry["name"] = ex.workflow_name
    return entry


def report(tx: Any, execution_id: str, errors_only: bool, max_depth: int,
           statistics_only: bool, now: Any = None) -> dict[str, Any]:
    """``GET /v2/executions/<id>/report`` with Mistral 23's fields, from four queries that
    load only the columns shown."""
    import datetime

    tree = Tree(tx, execution_id, with_actions=not statistics_only,
                exec_fields=REPORT_EXEC_COLUMNS)
    stats = {"total_tasks_count": 0}
    stats.update({f"{s.lower()}_tasks_count": 0 for s in STAT_STATES})
    counted = {f"{s.lower()}_tasks_count" for s in STAT_STATES}

    def node(ex: Any, depth: int) -> dict[str, Any]:
        entry = _wf_entry(ex)
        tasks = []
        for t in tree.tasks_of.get(ex.id, ()):
            if errors_only and t.state != states.ERROR:
                continue  # as Mistral 23: not counted either
            stats["total_tasks_count"] += 1
            key = f"{(t.state or '').lower()}_tasks_count"
            if key in counted:
                stats[key] += 1
            task = _entry(t, ("id", "name", "state", "state_info", "created_at",
                              "updated_at"))
            task["action_executions"] = [
                _entry(a, ("id", "name", "state", "state_info", "accepted", "last_heartbeat",
                           "created_at", "updated_at"))
                for a in tree.actions_of.get(t.id, ())
            ]
            subs = tree.subs_of_task.get(t.id, ())
            if max_depth < 0 or depth < max_depth:
                task["workflow_executions"] = [node(s, depth + 1) for s in subs]
            else:
                # As Mistral 23: below the depth, the execution without its tasks.
                task["workflow_executions"] = [_wf_entry(s) for s in subs]
            tasks.append(task)
        entry["task_executions"] = tasks
        return entry

    stats["estimated_time"] = estimated_time(
        tx, tree.executions[execution_id], now or datetime.datetime.utcnow())
    root = node(tree.executions[execution_id], 0)
    if statistics_only:
        return {"statistics": stats}
    return {"root_workflow_execution": root, "statistics": stats}


def _sub(row: Any) -> dict[str, Any]:
    """A sub-execution as Mistral 23 lists it: ``output`` only with ``include_output=true``."""
    body = render(row)
    if not http.query_bool("include_output", False):
        body.pop("output", None)
    return body


class SubExecutionsController(rest.RestController):
    """``/v2/executions/<id>/executions``: the executions below one execution."""

    DOC = ("Execution", "executions")

    @http.expose()
    def get_all(self, execution_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:list")
        depth = http.query_depth()
        errors_only = http.query_bool("errors_only", False)
        with http.read_tx() as tx:
            rows = sub_executions(tx, execution_id, depth, errors_only)
            return {"executions": [_sub(r) for r in rows]}


class ReportController(rest.RestController):
    DOC = (None, None)

    @http.expose()
    def get_all(self, execution_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:get")
        with http.read_tx() as tx:
            return report(
                tx, execution_id,
                errors_only=http.query_bool("errors_only", False),
                max_depth=http.query_depth(),
                statistics_only=http.query_bool("statistics_only", False),
            )


class TaskExecutionsController(rest.RestController):
    """``/v2/tasks/<id>/executions``: the subworkflow executions a task started."""

    DOC = ("Execution", "executions")

    @http.expose()
    def get_all(self, task_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:list")
        depth = http.query_depth()
        errors_only = http.query_bool("errors_only", False)
        with http.read_tx() as tx:
            rows = task_sub_executions(tx, task_id, depth, errors_only)
            return {"executions": [_sub(r) for r in rows]}


NOT_COLUMNS = ("source_execution_id", "published_global")
TASK_WF_FILTERS: dict[str, type] = {
    "workflow_name": str, "workflow_id": str, "description": str, "tags": str,
    "params": dict, "state": str, "state_info": str, "input": dict, "output": dict,
    "created_at": str, "updated_at": str,
}


class TaskWorkflowExecutionsController(rest.RestController):
    """``/v2/tasks/<id>/workflow_executions``: as Mistral 23, a plain list (filters,
    paging) of the executions the task started, shown without their JSON fields."""

    DOC = ("Execution", "executions")

    @http.expose()
    def get_all(self, task_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:list")
        q = listing.parse_list_query(Execution, TASK_WF_FILTERS)
        shown = q.fields or PLAIN_FIELDS
        with policy.list_tx("executions") as tx:
            rows = listing.fetch(tx.workflow_executions, q,
                                 extra_filters={"task_execution_id": task_id},
                                 db_fields=[f for f in shown if f not in NOT_COLUMNS])
            return listing.page("executions", Execution, rows, q, lambda r: render(r, shown))
