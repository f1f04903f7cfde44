"""``/v2/action_executions``: list/get, run an action directly (``POST``), deliver the
result of an asynchronous action (``PUT`` with ``state`` and ``output``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import errors, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.resource import JsonText, Resource
from mistral.db.filters import Filter
from mistral.engine.interface import ActionResult
from mistral.workflow import states

LIST_KEY = "action_executions"


class ActionExecution(Resource):
    id = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    task_name = wtypes.text
    task_execution_id = wtypes.text
    state = wtypes.text
    state_info = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    name = wtypes.text
    description = wtypes.text
    accepted = bool
    input = JsonText
    output = JsonText
    params = JsonText
    created_at = wtypes.text
    updated_at = wtypes.text
    project_id = wtypes.text


FILTERS: dict[str, type] = {
    "id": str, "name": str, "workflow_name": str, "workflow_namespace": str,
    "task_execution_id": str, "state": str, "state_info": str, "tags": str,
    "description": str, "accepted": bool, "input": dict, "output": dict, "created_at": str,
    "updated_at": str, "project_id": str, "task_name": str,
}
NOT_COLUMNS = ("task_name", "params")
COLUMNS = tuple(f for f in ActionExecution.field_names() if f not in NOT_COLUMNS)
RESULT_STATES = (states.SUCCESS, states.ERROR, states.CANCELLED)


def _task_names(tx: Any, rows: Sequence[Any]) -> dict[str, str]:
    ids = sorted({r.task_execution_id for r in rows if getattr(r, "task_execution_id", None)})
    if not ids:
        return {}
    tasks = tx.task_executions.list(filters={"id": Filter("in", ids)}, fields=("id", "name"))
    return {t.id: t.name for t in tasks}


def render(row: Any, names: dict[str, str], fields: Sequence[str] | None = None) -> dict:
    body = ActionExecution.render(row, fields)
    if not fields or "task_name" in fields:
        body["task_name"] = names.get(getattr(row, "task_execution_id", None) or "")
    if "params" in body and body["params"] is None:
        body["params"] = json.dumps({})
    return body


def list_actions(extra_filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """A page of action executions; as Mistral, ``output`` only with ``include_output=true``
    (or when ``fields`` names it), and then the column is not even loaded."""
    q = listing.parse_list_query(ActionExecution, FILTERS, extra_params=("include_output",))
    include_output = http.query_bool("include_output")
    task_name = q.filters.pop("task_name", None)
    with http.read_tx() as tx:
        filters = dict(extra_filters or {})
        if task_name is not None:
            ids = [t.id for t in tx.task_executions.list(filters={"name": task_name},
                                                          fields=("id",))]
            filters["task_execution_id"] = Filter("in", ids)
        wanted = q.fields
        if wanted is None and not include_output:
            wanted = [f for f in ActionExecution.field_names() if f != "output"]
        columns = [c for c in (wanted or COLUMNS) if c not in NOT_COLUMNS]
        if "task_execution_id" not in columns:
            columns.append("task_execution_id")
        rows = listing.fetch(tx.action_executions, q, filters, db_fields=columns)
        names = _task_names(tx, rows)
        return listing.page(LIST_KEY, ActionExecution, rows, q,
                            lambda r: render(r, names, wanted))


def get_one(id: str) -> dict[str, Any]:
    fields = listing.item_fields(ActionExecution)
    with http.read_tx() as tx:
        row = tx.action_executions.get(id)
        return render(row, _task_names(tx, [row]), fields)


PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "run_sync": (bool,), "save_result": (bool,), "target": (str,), "timeout": (int, float),
    "env": (dict,), "namespace": (str,),
}


def _run_params(raw: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Checked run-action params, and whether ``run_sync`` was chosen by us, not the client."""
    unknown = set(raw) - set(PARAM_TYPES)
    if unknown:
        raise errors.bad_request(
            "Unknown run-action parameter(s) " + ", ".join(sorted(unknown))
            + "; known: " + ", ".join(PARAM_TYPES) + "."
        )
    for key, value in raw.items():
        kinds = PARAM_TYPES[key]
        if value is not None and (not isinstance(value, kinds) or (
                bool not in kinds and isinstance(value, bool))):
            raise errors.bad_request(
                f"Parameter 'params.{key}' must be {' or '.join(k.__name__ for k in kinds)}, "
                f"not {type(value).__name__}."
            )
    params = dict(raw)
    defaulted = False
    if not params.get("save_result"):
        # Mistral's run-action: without save_result the action runs synchronously and
        # only its output comes back; nothing is stored.
        params["save_result"] = False
        defaulted = "run_sync" not in params
        params.setdefault("run_sync", True)
    return params, defaulted


def run(body: dict[str, Any]) -> dict[str, Any]:
    v = ActionExecution.parse(body, ignore=("id", "state", "state_info", "output",
                                            "created_at", "updated_at", "project_id",
                                            "accepted", "task_name", "task_execution_id",
                                            "workflow_name"))
    name = v.get("name")
    if not name:
        raise errors.bad_request("Field 'name' (the action to run) is required.")
    for key in ("input", "params"):
        if v.get(key) is None:
            v[key] = {}
        elif not isinstance(v[key], dict):
            raise errors.bad_request(f"Field '{key}' must be a JSON object.")
    params, defaulted = _run_params(v["params"])
    ctx = http.ctx()

    def start(p: dict[str, Any]) -> dict[str, Any]:
        return dict(http.engine().start_action(
            ctx, name, action_input=v["input"], description=v.get("description"),
            namespace=v.get("workflow_namespace") or "", params=p,
        ) or {})

    try:
        result = start(params)
    except exc.InputError:
        if not defaulted:
            raise
        # An asynchronous action cannot run synchronously: store it and let it report
        # its result later, as Mistral does for such actions.
        params = {**params, "save_result": True, "run_sync": False}
        result = start(params)
    result.setdefault("name", name)
    result.setdefault("params", params)
    if not params["save_result"]:  # as Mistral 23: nothing stored: no id, owner or times
        result = {**result, "id": None, "accepted": None, "project_id": None,
                  "created_at": None, "updated_at": None}
    return render(result, {})


def _result(state: str, output: Any) -> ActionResult:
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except json.JSONDecodeError:
            pass
        else:
            http.refuse_bad_strings(output, "output")
    if state == states.SUCCESS:
        return ActionResult(data=output)
    if state == states.ERROR:
        return ActionResult(error=output if output is not None else "Unknown error")
    return ActionResult(cancel=True)


def complete(id: str, body: dict[str, Any]) -> dict[str, Any]:
    # As Mistral 23: the body is judged first (output is JSON text or an object, the
    # state one a result or update may set), then an unknown action execution is a 404.
    raw_output = body.get("output")
    if raw_output is not None and not isinstance(raw_output, (str, dict)):
        raise errors.bad_request(
            f"Field 'output' must be a JSON string or object, not "
            f"{type(raw_output).__name__} ({raw_output!r:.60})."
        )
    v = ActionExecution.parse({k: x for k, x in body.items() if k != "output"},
                              ignore=("id", "name", "created_at", "updated_at", "project_id"))
    state = v.get("state")
    if state is None:  # as Mistral 23: an output alone does not say how the action ended
        raise errors.bad_request(
            "Field 'state' is required: one of "
            + ", ".join(RESULT_STATES + (states.RUNNING, states.PAUSED)) + "."
        )
    if state not in RESULT_STATES + (states.RUNNING, states.PAUSED):
        raise errors.bad_request(
            f"Invalid action execution state '{state}': use one of "
            + ", ".join(RESULT_STATES + (states.RUNNING, states.PAUSED)) + "."
        )
    ctx = http.ctx()
    with http.read_tx() as tx:
        row = tx.action_executions.get(id, fields=("id", "state"))
        if row.state in states.TERMINAL:
            raise exc.InvalidStateTransitionError(
                f"Action execution {id} is already {row.state}; its result cannot change."
            )
    engine = http.engine()
    if state in RESULT_STATES:
        engine.on_action_complete(ctx, id, _result(state, raw_output))
    else:
        engine.on_action_update(ctx, id, state)
    return get_one(id)


class ActionExecutionsController(rest.RestController):
    @http.expose()
    def get_one(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("action_executions:get")
        return get_one(id)

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("action_executions:list")
        return list_actions()

    @http.expose(status=201)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("action_executions:create")
        try:
            return run(http.json_body())
        except exc.NotFoundError as e:
            # As Mistral 23: an unknown action named in the body is a 400, not a 404.
            raise errors.bad_request(str(e)) from None

    @http.expose()
    def put(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("action_executions:update")
        return complete(id, http.json_body())

    @http.expose(status=204)
    def delete(self, id: str, **kw: Any) -> None:
        policy.authorize("action_executions:delete")
        if not http.services().settings.allow_action_execution_deletion:
            raise errors.ApiError(  # a 403, as Mistral 23
                403, "Action execution deletion is not allowed ([api] "
                "allow_action_execution_deletion is False)."
            )
        with http.write_tx() as tx:
            row = tx.action_executions.get(id, fields=("id", "state"))
            if row.state not in states.TERMINAL:
                raise exc.NotAllowedError(
                    f"Only completed action executions can be deleted; {id} is {row.state}."
                )
            tx.action_executions.delete(id)


class TaskActionExecutionsController(rest.RestController):
    @http.expose()
    def get_one(self, task_id: str, action_execution_id: str, **kw: Any) -> dict[str, Any]:
        """``GET /v2/tasks/<task>/action_executions/<id>`` (as Mistral 23)."""
        policy.authorize("action_executions:get")
        body = get_one(action_execution_id)
        if body.get("task_execution_id") != task_id:
            raise exc.NotFoundError(
                f"Action execution not found [id={action_execution_id}, task={task_id}]")
        return body

    @http.expose()
    def get_all(self, task_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("action_executions:list")
        with http.read_tx() as tx:
            tx.task_executions.get(task_id, fields=("id",))
        return list_actions({"task_execution_id": task_id})
