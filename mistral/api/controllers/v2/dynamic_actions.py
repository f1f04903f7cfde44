"""``/v2/dynamic_actions``: actions defined by a class of a code source.

As in Mistral 23: ``POST`` a JSON body (``name``, ``class_name``, ``code_source_id`` or
``code_source_name``, ``scope``, ``namespace``; the code source is looked up in that
namespace), ``PUT`` the same body naming the action by ``id`` or ``name``, ``GET``/
``DELETE /<name or id>?namespace=``. Dynamic actions are listed in ``/v2/actions``
(``is_system`` false, input and description from the class) and run like any action.

Stricter than Mistral: the class must exist in the module and have ``run`` (a 400 naming
it; Mistral stores any name and fails when the action runs or is listed); a missing
``name`` or ``class_name`` is a 400 (a 500 there); ``PUT`` without ``class_name`` keeps it
(a 500 there); a system action's name is refused (Mistral stores it, and the system action
always wins).
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.actions import dynamic
from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2 import code_sources, listing
from mistral.api.controllers.v2.resource import Resource
from mistral.db.filters import Filter

LIST_KEY = "dynamic_actions"
READ_ONLY = ("project_id", "created_at", "updated_at")


class DynamicAction(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    code_source_id = wtypes.text
    code_source_name = wtypes.text
    class_name = wtypes.text
    project_id = wtypes.text
    scope = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "id": str, "name": str, "namespace": str, "class_name": str, "code_source_id": str,
    "code_source_name": str, "scope": str, "project_id": str, "created_at": str,
    "updated_at": str,
}


def find(tx: Any, identifier: str, namespace: str = "") -> Any:
    if definitions.is_uuid(identifier):
        row = tx.dynamic_actions.find(id=identifier)
    else:
        row = tx.dynamic_actions.find(name=identifier, namespace=namespace or "")
    if row is None:
        raise exc.NotFoundError(
            f"Dynamic action not found [name={identifier}, namespace={namespace or ''}]"
        )
    return row


def _body() -> dict[str, Any]:
    values = DynamicAction.parse(http.json_body(), ignore=READ_ONLY)
    if "scope" in values:
        values["scope"] = definitions.check_scope(values["scope"])
        if values["scope"] == "public":
            policy.authorize("dynamic_actions:publicize")
    return values


def _source(tx: Any, values: dict[str, Any], namespace: str) -> Any:
    identifier = values.get("code_source_id") or values.get("code_source_name")
    if not identifier:
        raise errors.bad_request("Either 'code_source_id' or 'code_source_name' must be provided.")
    return code_sources.find(tx, identifier, namespace)


def _check_class(source: Any, class_name: str) -> None:
    """The class exists in the source's module and can run (imports the module here)."""
    try:
        module = dynamic.MODULES.load(source.name, source.content, source.checksum)
    except exc.ActionError as e:
        raise exc.InputError(str(e)) from None
    dynamic.action_class(module, class_name, source.name)


def _required(values: dict[str, Any], *names: str) -> None:
    for name in names:
        if not (values.get(name) or "").strip():
            raise errors.bad_request(f"Field '{name}' is required.")


class DynamicActionsController(rest.RestController):
    @http.expose()
    def get_one(self, identifier: str, **kw: Any) -> dict[str, Any]:
        """Show one dynamic action."""
        policy.authorize("dynamic_actions:get")
        namespace = http.query().get("namespace") or ""
        fields = code_sources.fields_of(DynamicAction)
        with http.read_tx() as tx:
            return DynamicAction.render(find(tx, identifier, namespace), fields)

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        """List the dynamic actions the caller can see."""
        policy.authorize("dynamic_actions:list")
        q = listing.parse_list_query(DynamicAction, FILTERS, extra_params=policy.LIST_PARAMS)
        # As Mistral 23: namespace comes with any fields= (its own, where Mistral 23
        # writes its default "").
        fields = q.fields and list(dict.fromkeys([*q.fields, "namespace"]))
        with policy.list_tx("dynamic_actions") as tx:
            rows = listing.fetch(tx.dynamic_actions, q, db_fields=fields)
            return listing.page(LIST_KEY, DynamicAction, rows, q,
                                lambda r: DynamicAction.render(r, fields))

    @http.expose(status=201, nulls=False)
    def post(self, **kw: Any) -> dict[str, Any]:
        """Define an action from a class of a code source."""
        policy.authorize("dynamic_actions:create")
        values = _body()
        values.pop("id", None)
        _required(values, "name", "class_name")
        if values["name"] in definitions.system_action_names(http.services().list_system_actions()):
            # Stricter than Mistral 23, which stores it and then always runs the system one.
            raise exc.NotAllowedError(f"Cannot create the system action {values['name']}.")
        namespace = values.get("namespace") or ""
        with http.write_tx() as tx:
            source = _source(tx, values, namespace)
            _check_class(source, values["class_name"])
            row = tx.dynamic_actions.create({
                "name": values["name"], "namespace": namespace,
                "class_name": values["class_name"], "scope": values.get("scope") or "private",
                "code_source_id": source.id, "code_source_name": source.name,
            })
            return DynamicAction.render(row)

    @http.expose()
    def put(self, **kw: Any) -> dict[str, Any]:
        """Change a dynamic action's class, code source or scope (named by id or name)."""
        policy.authorize("dynamic_actions:update")
        values = _body()
        identifier = values.get("id") or values.get("name")
        if not identifier:
            raise errors.bad_request("Either 'name' or 'id' must be provided.")
        namespace = values.get("namespace") or ""
        with http.write_tx() as tx:
            row = find(tx, identifier, namespace)
            changes: dict[str, Any] = {}
            if values.get("scope"):
                changes["scope"] = values["scope"]
            if values.get("class_name"):
                changes["class_name"] = values["class_name"]
            if values.get("code_source_id") or values.get("code_source_name"):
                source = _source(tx, values, namespace)
                changes.update(code_source_id=source.id, code_source_name=source.name)
            else:
                source = tx.code_sources.get(row.code_source_id)
            _check_class(source, changes.get("class_name") or row.class_name)
            if changes:
                row = tx.dynamic_actions.update(row.id, changes)
            return DynamicAction.render(row)

    @http.expose(status=204)
    def delete(self, identifier: str, **kw: Any) -> None:
        """Delete a dynamic action (its code source stays)."""
        policy.authorize("dynamic_actions:delete")
        namespace = http.query().get("namespace") or ""
        with http.write_tx() as tx:
            tx.dynamic_actions.delete(find(tx, identifier, namespace).id)


def action_dicts(tx: Any) -> list[dict[str, Any]]:
    """The visible dynamic actions as ``/v2/actions`` lists them (input and description
    from the class; a source that cannot be imported says so in the description)."""
    rows = tx.dynamic_actions.list()
    if not rows:
        return []
    sources = {s.id: s for s in tx.code_sources.list(
        filters={"id": Filter("in", sorted({r.code_source_id for r in rows}))})}
    return [action_dict(r, sources.get(r.code_source_id)) for r in rows]


def action_dict(row: Any, source: Any | None) -> dict[str, Any]:
    signature, description = "", ""
    if source is None:
        description = f"Code source {row.code_source_name} is not visible"
    else:
        try:
            cls = dynamic.load_class(dynamic.DynamicRef.of(row, source))
            signature, description = dynamic.describe(cls)
        except exc.MistralError as e:
            description = str(e)
    return {
        "id": row.id, "name": row.name, "namespace": row.namespace or "", "is_system": False,
        "input": signature, "description": description, "tags": [], "definition": None,
        "scope": row.scope, "project_id": row.project_id, "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
