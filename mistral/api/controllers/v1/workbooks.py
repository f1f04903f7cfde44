"""``/v1/workbooks``: Mistral's 2014 API for workbooks and their definition.

A workbook is created with a name (``POST /v1/workbooks``), then its v1 definition is
uploaded as text (``PUT /v1/workbooks/<name>/definition``): it is converted to v2 specs
(``mistral.lang.v1``) and stored as v2 definitions in the ``v1`` namespace (see
``store``). Rows belong to the caller's project, as everything else.
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from webob import Response
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, errors, http, policy, triggers
from mistral.api.controllers.v1 import store
from mistral.api.controllers.v1.executions import WorkbookExecutionsController
from mistral.api.controllers.v2.resource import Resource


class WorkbookV1(Resource):
    """A v1 workbook: a name, a description and tags (its definition is a sub-resource)."""

    name = wtypes.text
    description = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)


def _values(body: dict[str, Any]) -> dict[str, Any]:
    v = WorkbookV1.parse(body)
    if "name" in v and not (isinstance(v["name"], str) and v["name"].strip()):
        raise errors.bad_request("Field 'name' must be a non-empty string.")
    if "name" in v and ("/" in v["name"] or len(v["name"]) > 200):
        raise errors.bad_request("Field 'name' must have no '/' and at most 200 characters.")
    return v


class DefinitionController(rest.RestController):
    """``/v1/workbooks/<name>/definition``: the v1 text (``text/plain``)."""

    @http.expose()
    def get_all(self, workbook_name: str, **kw: Any) -> Response:
        """The workbook's v1 definition as uploaded (text/plain)."""
        policy.authorize("workbooks:get")
        with http.read_tx() as tx:
            row = store.find(tx, workbook_name)
            text = row.definition or ""
        return Response(text, content_type="text/plain", charset="utf-8")

    @http.expose()
    def put(self, workbook_name: str, **kw: Any) -> Response:
        """Upload the v1 definition: converted and stored with what it converts to (a
        workflow, ad-hoc actions, cron triggers); a bad one is a 400 naming each problem."""
        policy.authorize("workbooks:update")
        text = http.text_body()
        limits = definitions.Limits.of(http.services().settings)
        with http.read_tx() as tx:  # an unknown workbook is a 404 before its text is judged
            name = store.find(tx, workbook_name).name
        wb = store.convert(text, name, limits)
        # a trust per periodic event's trigger, made before the transaction (as for a v2 one)
        with triggers.creators(len(wb.events)) as creators, http.write_tx() as tx:
            row = store.find(tx, workbook_name)
            released = store.save_definition(tx, row, text, wb, creators)
        triggers.release_all(released)
        return Response(text, content_type="text/plain", charset="utf-8")


class WorkbooksController(rest.RestController):
    DOC = ("WorkbookV1", "workbooks")

    definition = DefinitionController()
    executions = WorkbookExecutionsController()

    @http.expose()
    def get_one(self, name: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:get")
        with http.read_tx() as tx:
            return WorkbookV1.render(store.find(tx, name))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:list")
        with http.read_tx() as tx:
            rows = tx.workbooks_v1.list(sort_keys=("created_at",))
            return {"workbooks": [WorkbookV1.render(r) for r in rows]}

    @http.expose(status=201)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:create")
        v = _values(http.json_body())
        if not v.get("name"):
            raise errors.bad_request("Field 'name' is required.")
        with http.write_tx() as tx:
            row = tx.workbooks_v1.create({"name": v["name"], "description": v.get("description"),
                                          "tags": v.get("tags") or [], "scope": "private"})
            return WorkbookV1.render(row)

    @http.expose()
    def put(self, name: str, **kw: Any) -> dict[str, Any]:
        """Change a workbook's description, tags or name (a renamed workbook's definition
        is converted again under the new name)."""
        policy.authorize("workbooks:update")
        v = _values(http.json_body())
        limits = definitions.Limits.of(http.services().settings)
        with http.read_tx() as tx:  # a renamed workbook's triggers are new: their trusts first
            row = store.find(tx, name)
            renamed = bool(v.get("name")) and v["name"] != row.name
            events = len(store.spec_of(row).events) if renamed and row.spec else 0
        with triggers.creators(events) as creators, http.write_tx() as tx:
            row = store.find(tx, name)
            new_name = v.get("name") or row.name
            values = {k: v[k] for k in ("description", "tags") if k in v}
            released: store.Released = []
            if new_name != row.name:
                released = store.remove_converted(tx, row)
                values["name"] = new_name
            row = tx.workbooks_v1.update(row.id, values)
            if "name" in values and row.definition:
                wb = store.convert(row.definition, new_name, limits)
                row = tx.workbooks_v1.update(row.id, {"spec": wb.to_dict()})
                store.store_converted(tx, row, wb, creators)
            elif creators:
                raise exc.NotAllowedError(f"Workbook '{name}' changed meanwhile; try again.")
            body = WorkbookV1.render(row)
        triggers.release_all(released)
        return body

    @http.expose(status=204)
    def delete(self, name: str, **kw: Any) -> None:
        """Delete a workbook with the workflow, actions and triggers it converted to
        (refused while one of its executions runs)."""
        policy.authorize("workbooks:delete")
        with http.write_tx() as tx:
            row = store.find(tx, name)
            released = store.remove_converted(tx, row)
            tx.workbooks_v1.delete(row.id)
        triggers.release_all(released)
