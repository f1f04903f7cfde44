"""``/v2/workflows``: workflow definitions (upload as text/plain YAML or JSON)."""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral.api import definitions, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.members import MembersController
from mistral.api.controllers.v2.resource import JsonText, Resource, to_json_text
from mistral.api.controllers.v2.validation import ValidationController

LIST_KEY = "workflows"


class Workflow(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    input = wtypes.text
    interface = JsonText
    definition = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    scope = wtypes.text
    project_id = wtypes.text
    checksum = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "name": str, "namespace": str, "definition": str, "tags": str, "scope": str,
    "project_id": str, "created_at": str, "updated_at": str, "id": str, "checksum": str,
}
DB_ONLY = ("input", "interface")


def _params(spec: Any, key: str) -> list[Any]:
    """Input/output parameters from a stored spec dict, in Mistral's interface form."""
    if not isinstance(spec, dict):
        return []
    items = spec.get(key) or []
    if isinstance(items, dict):
        items = [{k: v} for k, v in items.items()] if key == "input" else list(items)
    out: list[Any] = []
    for p in items:
        if isinstance(p, dict) and "name" in p and ("has_default" in p or "default" in p):
            out.append({p["name"]: p.get("default")} if p.get("has_default", True) else p["name"])
        else:
            out.append(p)
    return out


def render(row: Any, fields: list[str] | None = None, plain: bool = False,
           listed: bool = False) -> dict[str, Any]:
    """A workflow as Mistral 23 sends it: ``interface`` a JSON string, except in the answer
    to an upload (``plain``: an object there). A list asked for ``input`` sends
    ``interface`` too (both are read from the spec)."""
    body = Workflow.render(row, fields)
    if fields and not set(fields) & set(DB_ONLY):
        return body
    spec = getattr(row, "spec", None)
    inputs = _params(spec, "input")
    body["input"] = definitions.input_string(inputs, workflow=True)
    outputs = spec.get("output") if isinstance(spec, dict) else None
    interface = {
        "input": inputs,
        "output": list(outputs.keys()) if isinstance(outputs, dict) else (outputs or []),
    }
    body["interface"] = interface if plain else to_json_text(interface)
    if fields:
        keep = {*fields, "id", *(("interface",) if listed and "input" in fields else ())}
        body = {k: v for k, v in body.items() if k in keep}
    return body


def _db_fields(fields: list[str] | None) -> list[str] | None:
    if not fields:
        return None
    cols = [f for f in fields if f not in DB_ONLY]
    if set(fields) & set(DB_ONLY):
        cols.append("spec")
    return cols


def _scope_and_namespace() -> tuple[str, str]:
    q = http.query()
    scope = definitions.check_scope(q.get("scope"))
    if scope == "public":
        policy.authorize("workflows:publicize")
    return scope, q.get("namespace") or ""


class WorkflowsController(rest.RestController):
    members = MembersController("workflow")
    validate = ValidationController("workflows")

    @http.expose()
    def get_one(self, identifier: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("workflows:get")
        namespace = http.query().get("namespace") or ""
        fields = listing.item_fields(Workflow)
        with http.read_tx() as tx:
            return render(definitions.find_workflow(tx, identifier, namespace), fields)

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workflows:list")
        q = listing.parse_list_query(Workflow, FILTERS, extra_params=policy.LIST_PARAMS)
        with policy.list_tx("workflows") as tx:
            rows = listing.fetch(tx.workflow_definitions, q, db_fields=_db_fields(q.fields))
            return listing.page(LIST_KEY, Workflow, rows, q,
                                lambda r: render(r, q.fields, listed=True))

    @http.expose(status=201, plain=True)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workflows:create")
        text = http.text_body()
        scope, namespace = _scope_and_namespace()
        limits = definitions.Limits.of(http.services().settings)
        with http.write_tx() as tx:
            rows = definitions.save_workflows(tx, text, namespace, scope, False, limits)
            return {"workflows": [render(r, plain=True) for r in rows]}

    @http.expose(plain=True)
    def put(self, identifier: str | None = None, **kw: Any) -> dict[str, Any]:
        policy.authorize("workflows:update")
        identifier = identifier or http.query().get("identifier") or None
        text = http.text_body()
        scope, namespace = _scope_and_namespace()
        limits = definitions.Limits.of(http.services().settings)
        with http.write_tx() as tx:
            rows = definitions.save_workflows(
                tx, text, namespace, scope, True, limits, identifier=identifier
            )
            if identifier is not None:
                return render(rows[0], plain=True)
            return {"workflows": [render(r, plain=True) for r in rows]}

    @http.expose(status=204)
    def delete(self, identifier: str, **kw: Any) -> None:
        policy.authorize("workflows:delete")
        namespace = http.query().get("namespace") or ""
        with http.write_tx() as tx:
            definitions.delete_workflow(tx, identifier, namespace)
