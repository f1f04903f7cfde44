"""``/v2/event_triggers``: start a workflow when a notification arrives on a topic, as
the trigger's creator (``mistral.api.triggers``: its context, and a Keystone trust with
auth on)."""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral.api import definitions, errors, http, policy, triggers
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.resource import JsonText, Resource

LIST_KEY = "event_triggers"


class EventTrigger(Resource):
    id = wtypes.text
    name = wtypes.text
    workflow_id = wtypes.text
    workflow_input = JsonText
    workflow_params = JsonText
    exchange = wtypes.text
    topic = wtypes.text
    event = wtypes.text
    scope = wtypes.text
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "id": str, "name": str, "workflow_id": str, "exchange": str, "topic": str, "event": str,
    "scope": str, "project_id": str, "created_at": str, "updated_at": str,
}
# As Mistral 23, a name is optional (missing or "" is stored as ""): a trigger is known
# by (exchange, topic, event, workflow_id, project_id).
REQUIRED = ("workflow_id", "exchange", "topic", "event")


class EventTriggersController(rest.RestController):
    @http.expose()
    def get_one(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("event_triggers:get")
        with http.read_tx() as tx:
            return EventTrigger.render(tx.event_triggers.get(id), listing.item_fields(EventTrigger))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("event_triggers:list")
        q = listing.parse_list_query(EventTrigger, FILTERS, extra_params=policy.LIST_PARAMS)
        with policy.list_tx("event_triggers") as tx:
            rows = listing.fetch(tx.event_triggers, q)
            return listing.page(LIST_KEY, EventTrigger, rows, q)

    @http.expose(status=201)  # as Mistral 23: its null fields too (updated_at)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("event_triggers:create")
        values = EventTrigger.parse(
            http.json_body(), ignore=("id", "created_at", "updated_at", "project_id")
        )
        missing = [k for k in REQUIRED if not values.get(k)]
        if missing:
            raise errors.bad_request("Missing required field(s): " + ", ".join(missing) + ".")
        values["name"] = values.get("name") or ""
        for key in ("workflow_input", "workflow_params"):
            if values.get(key) is not None and not isinstance(values[key], dict):
                raise errors.bad_request(f"Field '{key}' must be a JSON object.")
            values.setdefault(key, {})
        values["scope"] = definitions.check_scope(values.get("scope"))
        policy.authorize_scope("event_triggers", values["scope"])
        if not definitions.is_uuid(values["workflow_id"]):
            raise errors.bad_request(
                f"Field 'workflow_id' must be a workflow's UUID, not '{values['workflow_id']}'."
            )
        with http.read_tx() as tx:  # a trust only for a trigger that can be stored
            _workflow_for(tx, values["workflow_id"], values["workflow_input"])
        with triggers.creator() as creator, http.write_tx() as tx:
            values["workflow_id"] = _workflow_for(tx, values["workflow_id"], values["workflow_input"])
            return EventTrigger.render(tx.event_triggers.create({**values, **creator}))

    @http.expose()
    def put(self, id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("event_triggers:update")
        values = EventTrigger.parse(http.json_body(), ignore=("id",))
        changed = set(values) - {"name"}
        if changed:
            raise errors.bad_request(
                "Only 'name' of an event trigger can be changed, not "
                + ", ".join(sorted(changed)) + "."
            )
        with http.write_tx() as tx:
            return EventTrigger.render(tx.event_triggers.update(id, values))

    @http.expose(status=204)
    def delete(self, id: str, **kw: Any) -> None:
        policy.authorize("event_triggers:delete")
        with http.write_tx() as tx:
            trust_id = tx.event_triggers.get(id, fields=("id", "trust_id")).trust_id
            tx.event_triggers.delete(id)
        triggers.release(trust_id, id)


def _workflow_for(tx: Any, identifier: str, workflow_input: dict) -> str:
    """The id of the trigger's workflow; an input it does not accept is a 400 now, not a
    failure at each notification (Mistral checks it too). A workflow UUID that does not
    exist is a 404, as in Mistral 23."""
    from mistral import exceptions as exc
    from mistral.engine import executions, specs

    row = definitions.find_workflow(tx, identifier)
    try:
        executions.check_input(specs.workflow_spec_of_definition(row), workflow_input)
    except exc.InputError as e:
        raise errors.bad_request(f"Field 'workflow_input': {e}") from None
    return row.id
