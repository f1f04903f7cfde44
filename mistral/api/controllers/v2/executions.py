"""``/v2/executions``: start, inspect, pause/resume/cancel and delete workflow executions.

Creating one is a short call to the engine (``Engine.start_workflow``: one transaction,
actions are sent after commit); the API never waits for the workflow to run. A
client-chosen ``id`` makes the request idempotent: a retry returns the execution that
the first request made.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

from pecan import rest

from mistral import exceptions as exc
from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.execution_type import PLAIN_FIELDS, Execution, render
from mistral.api.controllers.v2.reports import ReportController, SubExecutionsController
from mistral.api.controllers.v2.tasks import ExecutionTasksController
from mistral.workflow import states

LIST_KEY = "executions"


FILTERS: dict[str, type] = {
    "id": str, "workflow_id": str, "workflow_name": str, "workflow_namespace": str,
    "description": str, "tags": str, "params": dict, "task_execution_id": str,
    "root_execution_id": str, "state": str, "state_info": str, "input": dict, "output": dict,
    "created_at": str, "updated_at": str, "project_id": str, "task": str,
    # ours: the cron or event trigger that started the execution (Mistral 23 has no
    # such filter; its description carries triggered_by)
    "trigger_id": str,
}
NOT_COLUMNS = ("source_execution_id", "published_global")
LIST_COLUMNS = tuple(
    f for f in Execution.field_names() if f not in NOT_COLUMNS and f != "output"
)
STOP_STATES = (states.SUCCESS, states.ERROR, states.CANCELLED)
UPDATABLE_STATES = (states.PAUSED, states.RUNNING) + STOP_STATES
ENV_STATES = (states.IDLE, states.PAUSED, states.ERROR)
DESCRIPTION_MAX = 255


def load(tx: Any, id: str) -> Any:
    return tx.workflow_executions.get(id)


def published_global(tx: Any, row: Any) -> dict[str, Any]:
    """As Mistral 23's ``published_global``: what tasks published globally (the context
    without the workflow's ``vars``)."""
    names = set(((row.spec or {}).get("vars") or {}) if isinstance(row.spec, dict) else ())
    return {k: v for k, v in (row.context or {}).items()
            if k not in names and k not in ("__execution", "openstack")}


def _resolve_env(tx: Any, params: dict[str, Any]) -> dict[str, Any]:
    env = params.get("env")
    if isinstance(env, str):
        row = tx.environments.find(name=env)
        if row is None:  # as Mistral 23: a 400, the request names it
            raise errors.bad_request(f"Environment not found [name={env}]")
        params = {**params, "env": dict(row.variables or {})}
    elif env is not None and not isinstance(env, dict):
        raise errors.bad_request("'params.env' must be an environment name or an object.")
    return params


def _start_values(body: dict[str, Any]) -> dict[str, Any]:
    v = Execution.parse(body, ignore=("state", "state_info", "output", "created_at",
                                      "updated_at", "project_id", "task_execution_id",
                                      "root_execution_id"))
    for key in ("input", "params"):
        if v.get(key) is None:
            v[key] = {}
        elif not isinstance(v[key], dict):
            raise errors.bad_request(f"Field '{key}' must be a JSON object.")
    return v


def _from_source(tx: Any, v: dict[str, Any]) -> dict[str, Any]:
    """Fill what a re-run of ``source_execution_id`` takes from the old execution."""
    src = tx.workflow_executions.get(v["source_execution_id"])
    merged = dict(v)
    if not (v.get("workflow_id") or v.get("workflow_name")):
        merged["workflow_id"] = src.workflow_id
        merged["workflow_name"] = src.workflow_name
        merged["workflow_namespace"] = v.get("workflow_namespace") or src.workflow_namespace
    merged["input"] = {**(src.input or {}), **v["input"]}
    merged["params"] = {**(src.params or {}), **v["params"]}
    if not v.get("description"):
        merged["description"] = src.description or ""
    return merged


def start(body: dict[str, Any]) -> Any:
    v = _start_values(body)
    ctx = http.ctx()
    db = http.services().db
    wf_ex_id = v.get("id")
    with db.transaction(ctx, readonly=True) as tx:
        if wf_ex_id:
            existing = tx.workflow_executions.find(id=wf_ex_id)
            if existing is not None:
                return render(existing)
        if v.get("source_execution_id"):
            v = _from_source(tx, v)
        identifier = v.get("workflow_id") or v.get("workflow_name")
        if not identifier:
            raise errors.bad_request(
                "Field 'workflow_id' or 'workflow_name' (or 'source_execution_id') is required."
            )
        wf = definitions.find_workflow(tx, identifier, v.get("workflow_namespace") or "")
        identifier, namespace = wf.id, wf.namespace or ""
        params = _resolve_env(tx, v["params"])
        spec = wf.spec if isinstance(wf.spec, dict) else {}
        if spec.get("type") == "reverse" and not params.get("task_name"):
            # As Mistral 23: refused now, rather than an execution that fails at once.
            raise errors.bad_request(
                f"Workflow '{wf.name}' is a reverse workflow: 'params.task_name' is required."
            )
    try:
        result = http.engine().start_workflow(
            ctx, identifier, wf_namespace=namespace, wf_ex_id=wf_ex_id, wf_input=v["input"],
            description=v.get("description") or "", params=params,
        )
    except exc.DuplicateEntryError:
        if not wf_ex_id:
            raise
        result = {"id": wf_ex_id}  # a concurrent retry won the race: return its execution
    if isinstance(result, dict) and "state" in result:
        # As Mistral 23: the execution as its start left it (RUNNING, say), not as it is
        # by now (a short workflow may be done already).
        return render(_as_started(result))
    new_id = (result or {}).get("id") if isinstance(result, dict) else None
    with db.transaction(ctx, readonly=True) as tx:
        row = tx.workflow_executions.find(id=new_id) if new_id else None
        return render(row if row is not None else result)


def _as_started(result: dict[str, Any]) -> dict[str, Any]:
    """The engine's answer with its times as datetimes again (over RPC they travel as
    ISO text)."""
    row = dict(result)
    for key in ("created_at", "updated_at"):
        if isinstance(row.get(key), str):
            try:
                row[key] = datetime.datetime.fromisoformat(row[key])
            except ValueError:
                pass
    return row


def _update(id: str, body: dict[str, Any]) -> Any:
    # As Mistral 23: an unknown execution is a 404 before the body is judged.
    with http.read_tx() as tx:
        tx.workflow_executions.get(id, fields=("id",))
    v = Execution.parse(body, ignore=("id", "workflow_id", "workflow_name", "created_at",
                                      "updated_at", "project_id", "workflow_namespace"))
    state, info, desc = v.get("state"), v.get("state_info"), v.get("description")
    params = v.get("params") or {}
    if not isinstance(params, dict):
        raise errors.bad_request("Field 'params' must be a JSON object.")
    unknown = set(params) - {"env", "revert"}
    if unknown:
        raise errors.bad_request(
            "Only 'env' can be changed in 'params' (or 'revert' given), not "
            + ", ".join(sorted(unknown)) + "."
        )
    if "revert" in params:
        return _revert(id, params, state, desc)
    if state is None and desc is None and "env" not in params:
        raise errors.bad_request(
            "Nothing to update: give 'state', 'description' or 'params.env'."
        )
    if state is not None and state not in UPDATABLE_STATES:
        raise errors.bad_request(
            f"Cannot set execution state to '{state}': use one of "
            + ", ".join(UPDATABLE_STATES) + "."
        )
    if desc is not None and len(desc) > DESCRIPTION_MAX:
        raise errors.bad_request(
            f"Field 'description' is too long ({len(desc)} characters, at most "
            f"{DESCRIPTION_MAX})."
        )
    ctx, db, engine = http.ctx(), http.services().db, http.engine()
    with db.transaction(ctx, readonly=True) as tx:
        current = tx.workflow_executions.get(id, fields=("id", "state")).state
        env = _resolve_env(tx, params).get("env") if "env" in params else None
    if env is not None and state not in (None, states.RUNNING):
        raise errors.bad_request("'params.env' can only be changed alone or on resume.")
    if env is not None and state is None and current not in ENV_STATES:
        # As Mistral 23: a 403 (its NotAllowedException).
        raise errors.ApiError(
            403,
            f"The env of execution {id} can be updated only when it is IDLE, PAUSED or "
            f"ERROR, or on resume; it is {current}.",
        )
    # The state change first (the engine may refuse it), then the plain fields, under
    # the execution's row lock like every engine event.
    if state == states.PAUSED:
        engine.pause_workflow(ctx, id)
    elif state == states.RUNNING:
        engine.resume_workflow(ctx, id, env=env)
    elif state in STOP_STATES:
        engine.stop_workflow(ctx, id, state, info)
    if desc is not None or (env is not None and state is None):
        with db.transaction(ctx) as tx:
            locked = tx.workflow_executions.lock(id)
            values: dict[str, Any] = {}
            if desc is not None:
                values["description"] = desc
            if env is not None and state is None:
                old = dict(locked.params or {})
                values["params"] = {**old, "env": {**(old.get("env") or {}), **env}}
            tx.workflow_executions.update(id, values)
    with db.transaction(ctx, readonly=True) as tx:
        if state is None and env is None:
            # As Mistral 23: a new description is answered without the JSON fields
            # (params, input, output), which its update leaves unread.
            return render(load(tx, id), PLAIN_FIELDS)
        return render(load(tx, id))


def _revert(id: str, params: dict[str, Any], state: Any, desc: Any) -> Any:
    """Ours: ``{"params": {"revert": true}}`` reverts a finished ERROR or CANCELLED
    execution (its tasks' ``revert``, newest first); it runs until they are done."""
    if params["revert"] is not True:
        raise errors.bad_request("Field 'params.revert' must be true.")
    if state is not None or desc is not None or len(params) > 1:
        raise errors.bad_request(
            "'params.revert' is given alone, without 'state', 'description' or 'params.env'."
        )
    ctx = http.ctx()
    http.engine().revert_workflow(ctx, id)
    with http.services().db.transaction(ctx, readonly=True) as tx:
        return render(load(tx, id))


def delete(id: str, force: bool) -> None:
    with http.write_tx() as tx:
        wf_ex = tx.workflow_executions.lock(id)
        if not force and wf_ex.state not in STOP_STATES:
            raise exc.NotAllowedError(
                f"Only completed executions can be deleted; execution {id} is {wf_ex.state}. "
                "Use force to delete it anyway."
            )
        if not wf_ex.root_execution_id:
            tx.workflow_executions.delete_where(root_execution_id=id)
        tx.workflow_executions.delete(id)


class ExecutionsController(rest.RestController):
    DOC = ("Execution", LIST_KEY)

    tasks = ExecutionTasksController()
    executions = SubExecutionsController()
    report = ReportController()

    @http.expose()
    def get_one(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:get")
        with http.read_tx() as tx:
            fields = listing.item_fields(Execution)
            row = load(tx, id)
            body = render(row, fields)
            if not fields or "published_global" in fields:
                body["published_global"] = json.dumps(published_global(tx, row))
            return body

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:list")
        q = listing.parse_list_query(Execution, FILTERS,
                                     extra_params=("include_output", *policy.LIST_PARAMS))
        include_output = http.query_bool("include_output", False)
        filters = dict(q.filters)
        if "task" in filters:
            filters["task_execution_id"] = filters.pop("task")
        q = dataclasses.replace(q, filters=filters)
        columns = [c for c in (q.fields or LIST_COLUMNS) if c not in NOT_COLUMNS]
        if include_output and "output" not in columns:
            columns.append("output")
        with policy.list_tx("executions") as tx:
            rows = listing.fetch(tx.workflow_executions, q, db_fields=columns)
            # As Mistral 23: no source_execution_id in a list (it is no column there).
            shown = q.fields or [c for c in Execution.field_names() if c in columns]
            return listing.page(LIST_KEY, Execution, rows, q, lambda r: render(r, shown))

    @http.expose(status=201)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:create")
        return start(http.json_body())

    @http.expose()
    def put(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("executions:update")
        return _update(id, http.json_body())

    @http.expose(status=204)
    def delete(self, id: str, **kw: Any) -> None:
        policy.authorize("executions:delete")
        delete(id, http.query_bool("force", False))

