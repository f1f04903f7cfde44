"""``/v2/actions``: ad-hoc action definitions (YAML), dynamic actions (classes of code
sources, see ``dynamic_actions``) plus the system (Python) actions.

System actions come from ``ApiServices.list_system_actions`` and cannot be changed.
Lists mix both sources, so they are filtered, sorted and paged in memory (action
catalogues are hundreds of rows, not millions).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, http, policy
from mistral.api.controllers.v2 import dynamic_actions, listing
from mistral.api.controllers.v2.resource import Resource, datetime_to_str
from mistral.api.controllers.v2.validation import ValidationController

LIST_KEY = "actions"


class Action(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    is_system = bool
    input = wtypes.text
    description = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    definition = wtypes.text
    scope = wtypes.text
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "name": str, "namespace": str, "is_system": bool, "input": str, "description": str,
    "tags": str, "definition": str, "scope": str, "project_id": str, "created_at": str,
    "updated_at": str, "id": str,
}


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def system_action_dict(a: Any) -> dict[str, Any]:
    """A system action as Mistral 23 shows one: its name is its id, it has no tags, scope,
    project or times (null, or "" where Mistral 23 writes "") and no definition ("")."""
    name = _attr(a, "name")
    inputs = _attr(a, "input", "")
    if not isinstance(inputs, str):
        inputs = definitions.input_string(inputs)
    tags = _attr(a, "tags", None)
    return {
        "id": name,
        "name": name,
        "namespace": _attr(a, "namespace", "") or "",
        "is_system": True,
        "input": inputs,
        "description": _attr(a, "description"),
        "tags": list(tags) if tags else None,
        "definition": "",
        "scope": None,
        "project_id": None,
        "created_at": "",
        "updated_at": "",
    }


def _system() -> list[dict[str, Any]]:
    return [system_action_dict(a) for a in http.services().list_system_actions()]


def _system_names() -> set[str]:
    return {a["name"] for a in _system()}


def _listed(row: Any) -> dict[str, Any]:
    """A row of the mixed list, its times as text: a system action's are "" (as Mistral
    23's), so that the list sorts by them without comparing text with dates."""
    return {name: datetime_to_str(_attr(row, name)) if name.endswith("_at") else _attr(row, name)
            for name in Action.field_names()}


def _scope_and_namespace() -> tuple[str, str]:
    q = http.query()
    return definitions.check_scope(q.get("scope")), q.get("namespace") or ""


class ActionsController(rest.RestController):
    validate = ValidationController("actions")

    @http.expose()
    def get_one(self, identifier: str, namespace: str = "", **kw: Any) -> dict[str, Any]:
        policy.authorize("actions:get")
        namespace = namespace or http.query().get("namespace") or ""
        for a in _system():
            if identifier in (a["name"], a["id"]) and not namespace:
                return Action.render(a)
        with http.read_tx() as tx:
            try:
                return Action.render(definitions.find_action(tx, identifier, namespace))
            except exc.NotFoundError:
                row = tx.dynamic_actions.find(name=identifier, namespace=namespace)
                if row is None and definitions.is_uuid(identifier):
                    row = tx.dynamic_actions.find(id=identifier)
                if row is None:
                    raise
                source = tx.code_sources.find(id=row.code_source_id)
                return Action.render(dynamic_actions.action_dict(row, source))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("actions:list")
        q = listing.parse_list_query(Action, FILTERS, default_sort=("name", "asc"),
                                     marker_is_uuid=False)
        filters = dict(q.filters)
        # As Mistral 23: without a namespace the list is of the default one ("").
        filters.setdefault("namespace", "")
        with http.read_tx() as tx:
            rows = [_listed(r) for r in tx.action_definitions.list()]
            rows += [_listed(r) for r in dynamic_actions.action_dicts(tx)]
        items = _system() + rows
        marker = q.marker
        if marker is not None and not any(r["id"] == marker for r in items):
            # As Mistral 23 (whose next link names a system action by name): a marker
            # may be an action's name.
            named = [r for r in items if r["name"] == marker]
            marker = named[0]["id"] if named else marker
        # As Mistral 23: fields= does not narrow an action list (every field is sent).
        q = dataclasses.replace(q, filters=filters, marker=marker, fields=None)
        items = listing.page_in_memory(items, q)
        return listing.page(LIST_KEY, Action, items, q)

    @http.expose(status=201, plain=True)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("actions:create")
        return self._save(update=False, identifier=None)

    @http.expose(plain=True)
    def put(self, identifier: str | None = None, **kw: Any) -> dict[str, Any]:
        policy.authorize("actions:update")
        return self._save(update=True, identifier=identifier)

    def _save(self, update: bool, identifier: str | None) -> dict[str, Any]:
        text = http.text_body()
        scope, namespace = _scope_and_namespace()
        if scope == "public":
            policy.authorize("actions:publicize")
        limits = definitions.Limits.of(http.services().settings)
        names = _system_names()
        with http.write_tx() as tx:
            rows = definitions.save_actions(
                tx, text, namespace, scope, update, names, limits, identifier=identifier
            )
            return {"actions": [Action.render(r) for r in rows]}

    @http.expose(status=204)
    def delete(self, identifier: str, namespace: str = "", **kw: Any) -> None:
        policy.authorize("actions:delete")
        namespace = namespace or http.query().get("namespace") or ""
        if identifier in _system_names() or any(a["id"] == identifier for a in _system()):
            # As Mistral 23: a 404, there is no ad-hoc action of that name to delete.
            raise exc.NotFoundError(f"Action not found [name={identifier}]: system actions "
                                    "cannot be deleted")
        with http.write_tx() as tx:
            row = definitions.find_action(tx, identifier, namespace)
            if row.workbook_name:
                raise exc.NotAllowedError(
                    f"Action {row.name} belongs to workbook {row.workbook_name}: "
                    "update or delete the workbook instead."
                )
            tx.action_definitions.delete(row.id)
