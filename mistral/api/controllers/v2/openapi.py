"""``GET /v2/openapi.json``: an OpenAPI 3 document generated from the controllers.

The paths come from walking the controller tree: each ``RestController`` method
(``get_all``, ``get_one``, ``post``, ``put``, ``delete``) and its positional parameters
give a route, nested controllers give nested routes, and the ``expose(status=...)`` of a
method gives its success status. Schemas come from the WSME resource types. A test
checks the document against what the server really answers, both ways.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from pecan import rest

from mistral.api import http
from mistral.api.controllers.v2 import resource as res

METHODS = {"get_all": "get", "get_one": "get", "post": "post", "put": "put", "delete": "delete"}
TEXT_BODY = {"workbooks", "workflows", "actions", "validate"}
LIST_PARAMS = ("marker", "limit", "sort_keys", "sort_dirs", "fields")


def _positional(fn: Any) -> list[inspect.Parameter]:
    params = list(inspect.signature(inspect.unwrap(fn)).parameters.values())[1:]
    return [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _subcontrollers(ctrl: Any) -> Iterator[tuple[str, Any]]:
    for name in sorted(dir(type(ctrl))):
        if name.startswith("_"):
            continue
        value = getattr(ctrl, name, None)
        if isinstance(value, rest.RestController):
            yield name, value


def routes(ctrl: Any, prefix: str, inherited: int = 0) -> Iterator[tuple[str, str, Any]]:
    """``(path, http_method, handler)`` for a controller and everything below it.

    ``inherited`` is how many positional parameters the parent's path already supplies.
    """
    for meth, verb in METHODS.items():
        fn = getattr(ctrl, meth, None)
        if fn is None or not hasattr(fn, "_mistral_status"):
            continue
        own = _positional(fn)[inherited:]
        required = [p for p in own if p.default is p.empty]
        path = prefix
        for p in required:
            path += "/{" + p.name + "}"
        if meth == "get_all" and required:
            continue
        if meth == "get_one" and not required:
            continue
        yield path, verb, fn
        for p in own[len(required):]:
            path += "/{" + p.name + "}"
            yield path, verb, fn
    parent_params = _item_params(ctrl, inherited)
    for name, sub in _subcontrollers(ctrl):
        sub_inherited = _sub_arity(sub)
        if sub_inherited == inherited:
            yield from routes(sub, f"{prefix}/{name}", inherited)
        else:
            item = prefix + "".join("/{" + p + "}" for p in parent_params)
            yield from routes(sub, f"{item}/{name}", sub_inherited)


def _item_params(ctrl: Any, inherited: int) -> list[str]:
    fn = getattr(ctrl, "get_one", None) or getattr(ctrl, "delete", None)
    if fn is None:
        return ["id"]
    own = _positional(fn)[inherited:]
    return [p.name for p in own if p.default is p.empty][:1] or ["id"]


def _sub_arity(sub: Any) -> int:
    for meth in ("get_all", "post"):
        fn = getattr(sub, meth, None)
        if fn is not None and hasattr(fn, "_mistral_status"):
            return len([p for p in _positional(fn) if p.default is p.empty])
    return 0


def _operation(path: str, verb: str, fn: Any) -> dict[str, Any]:
    status = str(getattr(fn, "_mistral_status", 200))
    op: dict[str, Any] = {
        "operationId": f"{verb}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "summary": (inspect.getdoc(inspect.unwrap(fn)) or "").split("\n")[0] or None,
        "parameters": [
            {"name": seg[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
            for seg in path.split("/") if seg.startswith("{")
        ],
        "responses": {
            status: {"description": "Success"} if status == "204" else {
                "description": "Success",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "default": {"description": "Error",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Fault"}}}},
        },
    }
    if not op["summary"]:
        del op["summary"]
    if verb == "get" and fn.__name__ == "get_all" and not path.endswith(("report", "services")):
        op["parameters"] += [
            {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
            for n in LIST_PARAMS
        ]
    if verb in ("post", "put"):
        parts = [s for s in path.split("/") if s and not s.startswith("{")]
        text = parts[-1] in TEXT_BODY
        ctype = "text/plain" if text else "application/json"
        op["requestBody"] = {"required": True,
                             "content": {ctype: {"schema": {"type": "string" if text
                                                            else "object"}}}}
    return op


def document(root: Any, base_url: str = "") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {"/": {}, "/v2": {}}
    paths["/"]["get"] = {"operationId": "get_versions",
                         "responses": {"200": {"description": "The API versions"}}}
    paths["/v2"]["get"] = {"operationId": "get_v2", "responses": {"200": {"description": "v2"}}}
    paths["/v2/openapi.json"] = {"get": {"operationId": "get_openapi",
                                         "responses": {"200": {"description": "This document"}}}}
    for name, ctrl in _subcontrollers(root):
        for path, verb, fn in routes(ctrl, f"/v2/{name}"):
            paths.setdefault(path, {})[verb] = _operation(path, verb, fn)
    schemas: dict[str, Any] = {"Fault": {
        "type": "object",
        "properties": {"faultstring": {"type": "string"},
                       "faultcode": {"type": "string", "enum": ["Client", "Server"]},
                       "debuginfo": {"type": "string", "nullable": True}},
    }}
    for cls in _resource_types():
        schemas[cls.__name__] = res.schema_of(cls)
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Workflow service API (Mistral v2 compatible)", "version": "2.0"},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas},
    }
    if base_url:
        doc["servers"] = [{"url": base_url}]
    return doc


def _resource_types() -> list[type[res.Resource]]:
    seen: list[type[res.Resource]] = []
    stack = list(res.Resource.__subclasses__())
    while stack:
        cls = stack.pop(0)
        if cls not in seen:
            seen.append(cls)
            stack.extend(cls.__subclasses__())
    return sorted(seen, key=lambda c: c.__name__)


class OpenApiController:
    @http.expose(only="GET")
    def index(self) -> dict[str, Any]:
        from mistral.api.controllers.v2.root import V2Controller

        return document(V2Controller(), http.host_url())
