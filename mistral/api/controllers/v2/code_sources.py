"""``/v2/code_sources``: Python modules uploaded as text, for dynamic actions.

As in Mistral 23: ``POST ?name=&scope=&namespace=`` with the module as the body (201),
``PUT [/<identifier>]?identifier=&scope=&namespace=`` replaces the text and bumps
``version`` (the scope is the one given, ``private`` by default, like Mistral),
``GET``/``DELETE /<name or id>?namespace=``; deleting a source deletes the dynamic actions
defined on it (Mistral's ``ON DELETE CASCADE``).

Stricter than Mistral: a source that is not valid Python is a 400 naming the line (Mistral
stores it and fails later, at run time or in ``GET /v2/actions``); a missing name or a
bad scope is a 400 (a 500 there, the bad scope leaving the row behind).
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.actions import dynamic
from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2 import listing
from mistral.api.controllers.v2.resource import Resource

LIST_KEY = "code_sources"
# Python source may come with any of these (the real client sends text/plain).
CONTENT_TYPES = http.TEXT_TYPES + ("text/x-python", "text/x-script.python",
                                   "application/x-python", "application/octet-stream")


class CodeSource(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    content = wtypes.text
    version = int
    project_id = wtypes.text
    scope = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


FILTERS: dict[str, type] = {
    "id": str, "name": str, "namespace": str, "scope": str, "project_id": str,
    "version": int, "created_at": str, "updated_at": str,
}


def find(tx: Any, identifier: str, namespace: str = "") -> Any:
    """A code source by id (any namespace, as Mistral) or by name in ``namespace``."""
    if definitions.is_uuid(identifier):
        row = tx.code_sources.find(id=identifier)
    else:
        row = tx.code_sources.find(name=identifier, namespace=namespace or "")
    if row is None:
        raise exc.NotFoundError(
            f"Code source not found [name={identifier}, namespace={namespace or ''}]"
        )
    return row


def _scope() -> str:
    scope = definitions.check_scope(http.query().get("scope"))
    if scope == "public":
        policy.authorize("code_sources:publicize")
    return scope


def _content(name: str) -> str:
    text = http.text_body(allow_empty=True, types=CONTENT_TYPES)
    if "\x00" in text:
        raise errors.bad_request(f"Code source {name} contains a NUL character.")
    dynamic.check_source(name, text)
    return text


def fields_of(resource: type[Resource]) -> list[str] | None:
    """``?fields=`` of a GET of one item, checked against ``resource``."""
    return listing.item_fields(resource)


class CodeSourcesController(rest.RestController):
    @http.expose()
    def get_one(self, identifier: str, **kw: Any) -> dict[str, Any]:
        """Show one code source (with its content)."""
        policy.authorize("code_sources:get")
        namespace = http.query().get("namespace") or ""
        fields = fields_of(CodeSource)
        with http.read_tx() as tx:
            return CodeSource.render(find(tx, identifier, namespace), fields)

    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        """List the code sources the caller can see."""
        policy.authorize("code_sources:list")
        q = listing.parse_list_query(CodeSource, FILTERS, extra_params=policy.LIST_PARAMS)
        with policy.list_tx("code_sources") as tx:
            return listing.page(LIST_KEY, CodeSource, listing.fetch(tx.code_sources, q), q)

    @http.expose(status=201, plain=True)
    def post(self, **kw: Any) -> dict[str, Any]:
        """Upload a module: ``?name=<module>&scope=&namespace=``, the source as the body."""
        policy.authorize("code_sources:create")
        q = http.query()
        name = q.get("name") or ""
        if not name.strip():
            raise errors.bad_request("Query parameter 'name' (the module's name) is required.")
        scope = _scope()
        content = _content(name)
        values = {
            "name": name, "namespace": q.get("namespace") or "", "scope": scope,
            "content": content, "checksum": dynamic.source_checksum(content), "version": 1,
        }
        with http.write_tx() as tx:
            return CodeSource.render(tx.code_sources.create(values))

    @http.expose(plain=True)
    def put(self, identifier: str | None = None, **kw: Any) -> dict[str, Any]:
        """Replace a module's text (``version`` + 1); the dynamic actions on it follow."""
        policy.authorize("code_sources:update")
        q = http.query()
        identifier = identifier or q.get("identifier") or ""
        if not identifier:
            raise errors.bad_request(
                "The code source to update is required: PUT /v2/code_sources/<name or id> "
                "or ?identifier=<name or id>."
            )
        scope = _scope()
        content = _content(identifier)
        with http.write_tx() as tx:
            row = find(tx, identifier, q.get("namespace") or "")
            values = {"content": content, "checksum": dynamic.source_checksum(content),
                      "scope": scope, "version": (row.version or 0) + 1}
            return CodeSource.render(tx.code_sources.update(row.id, values))

    @http.expose(status=204)
    def delete(self, identifier: str, **kw: Any) -> None:
        """Delete a code source and the dynamic actions defined on it."""
        policy.authorize("code_sources:delete")
        namespace = http.query().get("namespace") or ""
        with http.write_tx() as tx:
            row = find(tx, identifier, namespace)
            tx.code_sources.delete(row.id)
