"""``/v2/tasks`` and ``/v2/executions/<id>/tasks``: task executions; ``PUT`` re-runs one
(``state: RUNNING``) or skips a failed one (``state: SKIPPED``: the workflow goes on along
the task's ``on-skip`` clause, else ``on-success``), as Mistral 23 does.

A task's ``result`` is what its action (or subworkflow) produced, as the engine keeps it in
the task's runtime context (a list for with-items): a page of tasks is one query.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral.api import errors, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.reports import (
    TaskExecutionsController,
    TaskWorkflowExecutionsController,
)
from mistral.api.controllers.v2.action_executions import TaskActionExecutionsController
from mistral.api.controllers.v2.resource import JsonText, Resource, to_json_text
from mistral.workflow import states

LIST_KEY = "tasks"


class Task(Resource):
    id = wtypes.text
    name = wtypes.text
    type = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    workflow_id = wtypes.text
    workflow_execution_id = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    state = wtypes.text
    state_info = wtypes.text
    result = JsonText
    published = JsonText
    processed = bool
    runtime_context = JsonText
    reset = bool
    env = JsonText
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text
    started_at = wtypes.text
    finished_at = wtypes.text


FILTERS: dict[str, type] = {
    "id": str, "name": str, "type": str, "workflow_name": str, "workflow_namespace": str,
    "workflow_id": str, "workflow_execution_id": str, "tags": str, "state": str,
    "state_info": str, "published": dict, "processed": bool, "project_id": str,
    "created_at": str, "updated_at": str, "started_at": str, "finished_at": str,
}
COMPUTED = ("result", "reset", "env")
COLUMNS = tuple(f for f in Task.field_names() if f not in COMPUTED)
# As Mistral 23: a task in a list has no result, and reset and env (which only a PUT
# takes) are never shown unless asked for by name.
NOT_LISTED = ("result", "reset", "env")
NOT_SHOWN = ("reset", "env")


def mistral_runtime_context(rc: Any, items_total: Any = None) -> dict[str, Any]:
    """A task's runtime context as Mistral 23 shows it.

    The engine keeps its own bookkeeping there (attempt, launched units, the result ...);
    a client sees only what Mistral 23 keeps: what triggered the task
    (``[{"task_id", "event"}]``), the retry and wait policies' state and the with-items
    counters.
    """
    rc = rc if isinstance(rc, dict) else {}
    out: dict[str, Any] = {}
    trig = rc.get("triggered_by")
    if isinstance(trig, str):  # rows written before the event was kept
        trig = [{"task_id": trig, "event": None}]
    if trig:
        out["triggered_by"] = trig
    if rc.get("retry_no") is not None:
        out["retry_task_policy"] = {"retry_no": rc["retry_no"]}
    if rc.get("waited_before"):
        out["wait_before_policy"] = {"skip": True}
    if rc.get("waited_after"):
        out["wait_after_policy"] = {"skip": True}
    if rc.get("concurrency") is not None:
        out["concurrency"] = rc["concurrency"]
    if rc.get("with_items"):
        out["with_items"] = {"capacity": rc.get("concurrency"), "count": items_total or 0}
    return out


def render(row: Any, fields: Sequence[str] | None = None, listed: bool = False) -> dict[str, Any]:
    body = Task.render(row, [f for f in fields if f not in COMPUTED] if fields else None)
    needs_rc = not fields or bool(set(fields) & {"runtime_context", "env", "reset", "result"})
    rc = getattr(row, "runtime_context", None) if needs_rc else None
    rc = rc if isinstance(rc, dict) else {}
    if "runtime_context" in body:
        body["runtime_context"] = to_json_text(
            mistral_runtime_context(rc, getattr(row, "items_total", None)))
    extra = {
        # As Mistral 23: a result of None is the JSON text "null"; a task without any
        # (not ended, or ended before an action ran) has the results of no actions, [].
        "result": json.dumps(rc["result"] if "result" in rc else []),
        "reset": bool(rc.get("reset", False)),
        "env": _json(rc.get("env")) if rc.get("env") is not None else None,
    }
    hidden = NOT_LISTED if listed else NOT_SHOWN
    for k, v in extra.items():
        if (fields and k in fields) or (not fields and k not in hidden):
            body[k] = v
        else:
            body.pop(k, None)
    return body


def _json(value: Any) -> str | None:
    return to_json_text(value) if value is not None else None


def list_tasks(extra_filters: dict[str, Any] | None = None) -> dict[str, Any]:
    q = listing.parse_list_query(Task, FILTERS)
    wanted = q.fields
    columns = [c for c in (wanted or COLUMNS) if c not in COMPUTED]
    if not wanted or set(wanted) & {"env", "reset", "result"}:
        columns.append("runtime_context")
    if "runtime_context" in columns:
        columns.append("items_total")
    with http.read_tx() as tx:
        rows = listing.fetch(tx.task_executions, q, extra_filters, db_fields=sorted(set(columns)))
        return listing.page(LIST_KEY, Task, rows, q, lambda r: render(r, wanted, listed=True))


def get_task(id: str) -> dict[str, Any]:
    fields = listing.item_fields(Task)
    with http.read_tx() as tx:
        return render(tx.task_executions.get(id), fields)


def rerun(id: str, body: dict[str, Any]) -> dict[str, Any]:
    v = Task.parse(body, ignore=("id", "name", "workflow_name", "workflow_id",
                                 "workflow_execution_id", "created_at", "updated_at",
                                 "project_id", "workflow_namespace"))
    skip = v.get("state") == states.SKIPPED
    if v.get("state") != states.RUNNING and not skip:
        raise errors.bad_request(
            f"Invalid task state '{v.get('state')}': only 'RUNNING' (a re-run) or 'SKIPPED' "
            "is allowed."
        )
    env = v.get("env")
    if env is not None and not isinstance(env, dict):
        raise errors.bad_request("Field 'env' must be a JSON object.")
    reset = v.get("reset")
    ctx = http.ctx()
    with http.read_tx() as tx:
        task = tx.task_executions.get(id, fields=("id", "name", "state", "workflow_execution_id",
                                                  "runtime_context"))
        wf_ex = tx.workflow_executions.get(task.workflow_execution_id,
                                           fields=("id", "state", "workflow_name"))
        # As Mistral 23: a name or workflow name in the body must be the task's own.
        if body.get("name") and body["name"] != task.name:
            raise errors.bad_request(f"Task name does not match: '{body['name']}' is not "
                                     f"task {id}'s name '{task.name}'.")
        if body.get("workflow_name") and body["workflow_name"] != wf_ex.workflow_name:
            raise errors.bad_request(f"Workflow name does not match: '{body['workflow_name']}' "
                                     f"is not '{wf_ex.workflow_name}'.")
        if skip and task.state != states.ERROR:
            raise errors.bad_request(
                f"Task {id} is {task.state}: only a task in ERROR can be skipped."
            )
        if task.state not in (states.ERROR, states.CANCELLED):
            raise errors.bad_request(
                f"Task {id} is {task.state}: only a task in ERROR or CANCELLED can be re-run."
            )
        if wf_ex.state not in (states.ERROR, states.CANCELLED, states.PAUSED):
            raise errors.bad_request(
                f"Execution {wf_ex.id} is {wf_ex.state}: a task can be re-run only when its "
                "execution is in ERROR, CANCELLED or PAUSED."
            )
        # As Mistral 23: a re-run says whether to reset the task, and only a with-items
        # task may keep its finished items (reset false).
        if not skip and reset is None:
            raise errors.bad_request("Reset field is mandatory to rerun task: give "
                                     "'reset': true (or false to keep a with-items task's "
                                     "finished items).")
        if not skip and not reset and not (task.runtime_context or {}).get("with_items"):
            raise errors.bad_request(f"Only with-items task has the option to not reset: "
                                     f"task {id} ('{task.name}') has no with-items.")
    http.engine().rerun_workflow(ctx, id, reset=bool(reset) or skip, skip=skip, env=env)
    return get_task(id)


class TasksController(rest.RestController):
    action_executions = TaskActionExecutionsController()
    executions = TaskExecutionsController()
    workflow_executions = TaskWorkflowExecutionsController()

    @http.expose()
    def get_one(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:get")
        return get_task(id)

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:list")
        return list_tasks()

    @http.expose()
    def put(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:update")
        return rerun(id, http.json_body())


class ExecutionTasksController(rest.RestController):
    @http.expose()
    def get_all(self, execution_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:list")
        with http.read_tx() as tx:
            tx.workflow_executions.get(execution_id, fields=("id",))
        return list_tasks({"workflow_execution_id": execution_id})
