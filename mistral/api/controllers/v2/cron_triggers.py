"""``/v2/cron_triggers``: start a workflow on a schedule (cron pattern and/or a first time).

The API validates and stores the trigger with its ``next_execution_time`` and its
creator (``mistral.api.triggers``: the context, and a Keystone trust with auth on); the
periodic service fires due triggers as that creator.
"""

from __future__ import annotations

import datetime
from typing import Any

import croniter
from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, errors, http, policy, triggers
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.resource import JsonText, Resource

LIST_KEY = "cron_triggers"


class CronTrigger(Resource):
    id = wtypes.text
    name = wtypes.text
    workflow_name = wtypes.text
    workflow_id = wtypes.text
    workflow_namespace = wtypes.text
    workflow_input = JsonText
    workflow_params = JsonText
    scope = wtypes.text
    pattern = wtypes.text
    remaining_executions = int
    first_execution_time = wtypes.text
    next_execution_time = wtypes.text
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text

    @classmethod
    def render(cls, row: Any, fields: Any = None) -> dict[str, Any]:
        # Accepted on create (the workflow's namespace), never shown: Mistral 23's cron
        # trigger has no such field.
        body = super().render(row, fields)
        body.pop("workflow_namespace", None)
        return body


FILTERS: dict[str, type] = {
    "id": str, "name": str, "workflow_name": str, "workflow_id": str, "workflow_input": dict,
    "workflow_params": dict, "scope": str, "pattern": str, "remaining_executions": int,
    "first_execution_time": str, "next_execution_time": str, "project_id": str,
    "created_at": str, "updated_at": str,
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _parse_time(value: str) -> datetime.datetime:
    for fmt in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    raise errors.bad_request(
        f"Field 'first_execution_time' must look like 'YYYY-MM-DD HH:MM', not '{value}'."
    )


def next_time(pattern: str | None, first: datetime.datetime | None,
              now: datetime.datetime) -> datetime.datetime:
    if first is not None:
        return first
    assert pattern is not None
    return croniter.croniter(pattern, now).get_next(datetime.datetime)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    v = CronTrigger.parse(body, ignore=("id", "created_at", "updated_at", "project_id",
                                        "next_execution_time"))
    if not v.get("name"):
        raise errors.bad_request("Field 'name' is required.")
    if not (v.get("workflow_name") or v.get("workflow_id")):
        raise errors.bad_request("Field 'workflow_name' or 'workflow_id' is required.")
    pattern = v.get("pattern")
    first = _parse_time(v["first_execution_time"]) if v.get("first_execution_time") else None
    if not pattern and first is None:
        raise errors.bad_request("Give a 'pattern', a 'first_execution_time' or both.")
    if pattern and not croniter.croniter.is_valid(pattern):
        raise errors.bad_request(f"Field 'pattern' is not a valid cron pattern: '{pattern}'.")
    now = _utcnow()
    if first is not None and first < now:
        raise errors.bad_request("Field 'first_execution_time' must be in the future.")
    count = v.get("remaining_executions")
    if count is not None and count < 1:
        raise errors.bad_request("Field 'remaining_executions' must be a positive integer.")
    if first is not None and not pattern and count not in (None, 1):
        raise errors.bad_request(
            "Without a 'pattern' the trigger runs once: 'remaining_executions' must be 1."
        )
    for key in ("workflow_input", "workflow_params"):
        if v.get(key) is not None and not isinstance(v[key], dict):
            raise errors.bad_request(f"Field '{key}' must be a JSON object.")
    v["first_execution_time"] = first
    v["next_execution_time"] = next_time(pattern, first, now)
    v["scope"] = definitions.check_scope(v.get("scope"))
    policy.authorize_scope("cron_triggers", v["scope"])
    return v


TWIN_KEYS = ("workflow_name", "pattern", "first_execution_time", "remaining_executions")


def _refuse_a_twin(tx: Any, row: Any) -> None:
    """As Mistral 23 (its unique key on these columns and the input and params): a second
    trigger of one project that would start the same workflow with the same input and
    params on the same schedule is a 409. A NULL never clashes, as in a unique key (but no
    pattern is one value: Mistral stores its 'never' pattern then)."""
    keys = {k: getattr(row, k) for k in TWIN_KEYS}
    if any(v is None for k, v in keys.items() if k != "pattern"):
        return
    for other in tx.cron_triggers.list(filters={**keys, "project_id": row.project_id}):
        if other.id != row.id and (other.workflow_input or {}) == (row.workflow_input or {}) \
                and (other.workflow_params or {}) == (row.workflow_params or {}):
            raise exc.DuplicateEntryError(
                f"Duplicate entry for cron trigger: '{other.name}' already starts workflow "
                f"'{row.workflow_name}' with the same pattern, first execution time, "
                "remaining executions, input and params.", columns=TWIN_KEYS)


def find(tx: Any, identifier: str) -> Any:
    row = tx.cron_triggers.find(name=identifier)
    if row is None and definitions.is_uuid(identifier):
        row = tx.cron_triggers.find(id=identifier)
    if row is None:
        raise exc.NotFoundError(f"Cron trigger not found [name={identifier}]")
    return row


class CronTriggersController(rest.RestController):
    @http.expose()
    def get_one(self, identifier: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("cron_triggers:get")
        with http.read_tx() as tx:
            return CronTrigger.render(find(tx, identifier), listing.item_fields(CronTrigger))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("cron_triggers:list")
        q = listing.parse_list_query(CronTrigger, FILTERS, extra_params=policy.LIST_PARAMS)
        with policy.list_tx("cron_triggers") as tx:
            rows = listing.fetch(tx.cron_triggers, q, db_fields=_db_fields(q.fields))
            return listing.page(LIST_KEY, CronTrigger, rows, q)

    @http.expose(status=201)
    def post(self, **kw: Any) -> dict[str, Any]:
        """As Mistral 23 answers it: the new trigger's null fields are there (a null count
        or first time), but for updated_at, which a new row has not loaded."""
        policy.authorize("cron_triggers:create")
        values = _values(http.json_body())
        namespace = values.pop("workflow_namespace", None) or ""
        identifier = values.get("workflow_id") or values["workflow_name"]
        with http.read_tx() as tx:  # a trust only for a trigger that can be stored
            definitions.find_workflow(tx, identifier, namespace)
        with triggers.creator() as creator, http.write_tx() as tx:
            wf = definitions.find_workflow(tx, identifier, namespace)
            values["workflow_id"], values["workflow_name"] = wf.id, wf.name
            _check_input(wf, values.get("workflow_input") or {})
            values.setdefault("workflow_input", {})
            values.setdefault("workflow_params", {})
            row = tx.cron_triggers.create({**values, **creator})
            _refuse_a_twin(tx, row)
            body = CronTrigger.render(row)
            if body.get("updated_at") is None:
                body.pop("updated_at", None)
            return body

    @http.expose(status=204)
    def delete(self, identifier: str, **kw: Any) -> None:
        policy.authorize("cron_triggers:delete")
        with http.write_tx() as tx:
            row = find(tx, identifier)
            trigger_id, trust_id = row.id, row.trust_id
            tx.cron_triggers.delete(trigger_id)
        triggers.release(trust_id, trigger_id)


def _check_input(wf: Any, workflow_input: dict) -> None:
    """As Mistral 23: a trigger whose input the workflow does not take is a 400 now, not a
    failed execution at each firing."""
    from mistral.engine import executions, specs

    executions.check_input(specs.workflow_spec_of_definition(wf), workflow_input)


def _db_fields(fields: list[str] | None) -> list[str] | None:
    if not fields:
        return None
    return [f for f in fields if f != "workflow_namespace"]
