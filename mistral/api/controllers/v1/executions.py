"""``/v1/workbooks/<name>/executions`` and their ``tasks``: Mistral's 2014 API.

An execution runs a *target task* of the workbook and what it requires: the v2 execution
of the converted reverse workflow ``<name>.Workflow`` (namespace ``v1``) with
``params.task_name``. Its ``context`` is the execution's ``env`` and, for the names the
workflow's expressions read, its input. States are shown as v1 had them
(``CANCELLED`` is ``STOPPED``, ``RUNNING_DELAYED`` is ``DELAYED``, ``WAITING`` is
``IDLE``); a task's ``output`` is what it published (with ``task: {<name>: result}``)
and its ``parameters`` what its action got.
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import errors, http, policy
from mistral.api.controllers.v1 import store
from mistral.api.controllers.v2.resource import JsonText, Resource
from mistral.workflow import states

STATES = {states.CANCELLED: "STOPPED", states.RUNNING_DELAYED: "DELAYED",
          states.WAITING: "IDLE", states.PAUSED: "STOPPED"}


class ExecutionV1(Resource):
    id = wtypes.text
    workbook_name = wtypes.text
    task = wtypes.text
    state = wtypes.text
    context = JsonText


class TaskV1(Resource):
    id = wtypes.text
    workbook_name = wtypes.text
    execution_id = wtypes.text
    name = wtypes.text
    description = wtypes.text
    action = wtypes.text
    state = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    output = JsonText
    parameters = JsonText


def _execution(row: Any, workbook: str) -> dict[str, Any]:
    params = row.params or {}
    return ExecutionV1.render({
        "id": row.id, "workbook_name": workbook, "task": params.get("task_name"),
        "state": STATES.get(row.state, row.state), "context": params.get("env") or {},
    })


def _load(tx: Any, workbook: str, id: str) -> Any:
    store.find(tx, workbook)
    row = tx.workflow_executions.find(id=id)
    if row is None or row.workflow_name != store.workflow_name(workbook) \
            or row.workflow_namespace != store.NAMESPACE or row.task_execution_id:
        raise exc.NotFoundError(f"Execution not found [workbook_name={workbook}, id={id}]")
    return row


def _context(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = http.parse_json(value, "Field 'context' is not valid JSON")
    if not isinstance(value, dict):
        raise errors.bad_request("Field 'context' must be a JSON object.")
    http.refuse_bad_strings(value, "context")
    return value


def start(workbook: str, body: dict[str, Any]) -> dict[str, Any]:
    v = ExecutionV1.parse({k: body[k] for k in body if k != "context"},
                          ignore=("id", "state", "workbook_name"))
    context = _context(body.get("context"))
    task = v.get("task")
    ctx = http.ctx()
    with http.read_tx() as tx:
        wb = store.spec_of(store.find(tx, workbook))
        if not task:
            raise errors.bad_request("Field 'task' is required: the target task to run.")
        if task not in wb.workflow.tasks:
            raise errors.bad_request(f"Field 'task': workbook '{workbook}' has no task '{task}' "
                                     f"(tasks: {', '.join(wb.workflow.tasks)}).")
        wf = tx.workflow_definitions.find(name=store.workflow_name(workbook),
                                          namespace=store.NAMESPACE)
        if wf is None:
            raise exc.NotFoundError(f"Workflow of workbook '{workbook}' not found")
        wf_id = wf.id
    declared = {p.name for p in wb.workflow.input}
    result = http.engine().start_workflow(
        ctx, wf_id, store.NAMESPACE,
        wf_input={k: val for k, val in context.items() if k in declared},
        params={"task_name": task, "env": context})
    with http.read_tx() as tx:
        return _execution(tx.workflow_executions.get(result["id"]), workbook)


class TasksController(rest.RestController):
    DOC = ("TaskV1", "tasks")

    @http.expose()
    def get_one(self, workbook_name: str, execution_id: str, id: str,
                **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:get")
        with http.read_tx() as tx:
            rows = _tasks(tx, workbook_name, execution_id)
            found = [t for t in rows if t["id"] == id]
            if not found:
                raise exc.NotFoundError(f"Task not found [execution_id={execution_id}, id={id}]")
            return found[0]

    @http.expose()
    def get_all(self, workbook_name: str, execution_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("tasks:list")
        with http.read_tx() as tx:
            return {"tasks": _tasks(tx, workbook_name, execution_id)}


def _tasks(tx: Any, workbook: str, execution_id: str) -> list[dict[str, Any]]:
    _load(tx, workbook, execution_id)
    wb = store.spec_of(store.find(tx, workbook))
    rows = tx.task_executions.list(filters={"workflow_execution_id": execution_id},
                                   sort_keys=("created_at",))
    params: dict[str, Any] = {}
    for a in tx.action_executions.list(filters={"workflow_execution_id": execution_id},
                                       fields=("task_execution_id", "input", "created_at"),
                                       sort_keys=("created_at",)):
        params[a.task_execution_id] = (a.input or {}).get("parameters")
    out = []
    for r in rows:
        tspec = wb.workflow.tasks.get(r.name)
        out.append(TaskV1.render({
            "id": r.id, "workbook_name": workbook, "execution_id": execution_id,
            "name": r.name, "description": (tspec.description if tspec else "") or None,
            "action": (wb.actions or {}).get(r.name), "state": STATES.get(r.state, r.state),
            "tags": list(r.tags or []), "output": r.published or {},
            "parameters": params.get(r.id) or {},
        }))
    return out


class WorkbookExecutionsController(rest.RestController):
    DOC = ("ExecutionV1", "executions")

    tasks = TasksController()

    @http.expose()
    def get_one(self, workbook_name: str, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:get")
        with http.read_tx() as tx:
            return _execution(_load(tx, workbook_name, id), workbook_name)

    @http.expose()
    def get_all(self, workbook_name: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:list")
        with http.read_tx() as tx:
            store.find(tx, workbook_name)
            rows = tx.workflow_executions.list(
                filters={"workflow_name": store.workflow_name(workbook_name),
                         "workflow_namespace": store.NAMESPACE, "task_execution_id": None},
                sort_keys=("created_at",), fields=("id", "params", "state", "created_at"))
            return {"executions": [_execution(r, workbook_name) for r in rows]}

    @http.expose(status=201)
    def post(self, workbook_name: str, **kw: Any) -> dict[str, Any]:
        """Start an execution of the workbook for a target ``task`` with a ``context``."""
        policy.authorize("executions:create")
        return start(workbook_name, http.json_body())

    @http.expose()
    def put(self, workbook_name: str, id: str, **kw: Any) -> dict[str, Any]:
        """Stop a running execution (``{"state": "STOPPED"}``)."""
        policy.authorize("executions:update")
        body = http.json_body()
        v = ExecutionV1.parse({k: body[k] for k in body if k != "context"},
                              ignore=("id", "workbook_name", "task"))
        if v.get("state") != "STOPPED":
            raise errors.bad_request("Field 'state': an execution can only be set to STOPPED.")
        with http.read_tx() as tx:
            _load(tx, workbook_name, id)
        http.engine().stop_workflow(http.ctx(), id, states.CANCELLED, "Stopped through /v1")
        with http.read_tx() as tx:
            return _execution(_load(tx, workbook_name, id), workbook_name)

    @http.expose(status=204)
    def delete(self, workbook_name: str, id: str, **kw: Any) -> None:
        """Delete a finished execution."""
        policy.authorize("executions:delete")
        with http.write_tx() as tx:
            row = _load(tx, workbook_name, id)
            if row.state not in states.TERMINAL:
                raise exc.NotAllowedError(f"Execution {id} is {row.state}: stop it first "
                                          "(PUT with state STOPPED).")
            tx.workflow_executions.delete_where(root_execution_id=id)
            tx.workflow_executions.delete(id)
