"""``/v2/workbooks``: workbooks (a name, workflows and actions in one document)."""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.members import MembersController
from mistral.api.controllers.v2.resource import Resource
from mistral.api.controllers.v2.validation import ValidationController

LIST_KEY = "workbooks"


class Workbook(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    definition = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    scope = wtypes.text
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "name": str, "namespace": str, "definition": str, "tags": str, "scope": str,
    "project_id": str, "created_at": str, "updated_at": str, "id": str,
}


def _scope_and_namespace() -> tuple[str, str]:
    q = http.query()
    scope = definitions.check_scope(q.get("scope"))
    policy.authorize_scope("workbooks", scope)
    return scope, q.get("namespace") or ""


class WorkbooksController(rest.RestController):
    members = MembersController("workbook")
    validate = ValidationController("workbook")

    @http.expose()
    def get_one(self, name: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:get")
        namespace = http.query().get("namespace") or ""
        with http.read_tx() as tx:
            row = tx.workbooks.find(name=name, namespace=namespace)
            if row is None and definitions.is_uuid(name):
                row = tx.workbooks.find(id=name)
            if row is None:
                raise exc.NotFoundError(f"Workbook not found [name={name}, namespace={namespace}]")
            return Workbook.render(row, listing.item_fields(Workbook))

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:list")
        q = listing.parse_list_query(Workbook, FILTERS)
        with http.read_tx() as tx:
            return listing.page(LIST_KEY, Workbook, listing.fetch(tx.workbooks, q), q)

    @http.expose(status=201, plain=True)
    def post(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:create")
        return self._save(update=False)

    @http.expose(plain=True)
    def put(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("workbooks:update")
        return self._save(update=True)

    def _save(self, update: bool) -> dict[str, Any]:
        text = http.text_body()
        scope, namespace = _scope_and_namespace()
        limits = definitions.Limits.of(http.services().settings)
        with http.write_tx() as tx:
            row = definitions.save_workbook(tx, text, namespace, scope, update, limits)
            return Workbook.render(row)

    @http.expose(status=204)
    def delete(self, name: str, **kw: Any) -> None:
        policy.authorize("workbooks:delete")
        namespace = http.query().get("namespace") or ""
        with http.write_tx() as tx:
            definitions.delete_workbook(tx, name, namespace)
