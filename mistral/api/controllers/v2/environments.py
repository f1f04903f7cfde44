"""``/v2/environments``: named sets of variables for executions (``params.env``)."""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.resource import JsonText, Resource

LIST_KEY = "environments"


class Environment(Resource):
    id = wtypes.text
    name = wtypes.text
    description = wtypes.text
    variables = JsonText
    scope = wtypes.text
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "name": str, "description": str, "variables": dict, "scope": str, "project_id": str,
    "created_at": str, "updated_at": str, "id": str,
}


def find(tx: Any, name: str) -> Any:
    row = tx.environments.find(name=name)
    if row is None and definitions.is_uuid(name):
        row = tx.environments.find(id=name)
    if row is None:
        raise exc.NotFoundError(f"Environment not found [name={name}]")
    return row


def _values(body: dict[str, Any]) -> dict[str, Any]:
    values = Environment.parse(body, ignore=("id", "created_at", "updated_at", "project_id"))
    if not values.get("name"):
        raise errors.bad_request("Field 'name' is required.")
    if "variables" in values and values["variables"] is not None and not isinstance(
        values["variables"], dict
    ):
        raise errors.bad_request("Field 'variables' must be a JSON object.")
    if "scope" in values:
        values["scope"] = definitions.check_scope(values["scope"])
        policy.authorize_scope("environments", values["scope"])
    return values


class EnvironmentsController(rest.RestController):
    @http.expose()
    def get_one(self, name: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("environments:get")
        with http.read_tx() as tx:
            return Environment.render(find(tx, name), listing.item_fields(Environment))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("environments:list")
        q = listing.parse_list_query(Environment, FILTERS)
        with http.read_tx() as tx:
            return listing.page(LIST_KEY, Environment, listing.fetch(tx.environments, q), q)

    @http.expose(status=201, nulls=False)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("environments:create")
        values = _values(http.json_body())
        values.setdefault("variables", {})
        with http.write_tx() as tx:
            return Environment.render(tx.environments.create(values))

    @http.expose()
    def put(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("environments:update")
        values = _values(http.json_body())
        with http.write_tx() as tx:
            row = find(tx, values["name"])
            return Environment.render(tx.environments.update(row.id, values))

    @http.expose(status=204)
    def delete(self, name: str, **kw: Any) -> None:
        policy.authorize("environments:delete")
        with http.write_tx() as tx:
            tx.environments.delete(find(tx, name).id)
