"""``GET /v2/openapi.json``: an OpenAPI 3 document generated from the controllers.

The paths come from walking the controller tree: each ``RestController`` method
(``get_all``, ``get_one``, ``post``, ``put``, ``delete``) and its positional parameters
give a route, nested controllers give nested routes, and the ``expose(status=...)`` of a
method gives its success status. Schemas come from the WSME resource types. A test
checks the document against what the server really answers, both ways.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from typing import Any

from pecan import rest

from mistral.api import http
from mistral.api.controllers.v2 import resource as res
from mistral.api.controllers.v2.openapi_text import describe

METHODS = {"get_all": "get", "get_one": "get", "post": "post", "put": "put", "delete": "delete"}
TEXT_BODY = {"workbooks", "workflows", "actions", "validate", "code_sources"}
LIST_PARAMS = ("marker", "limit", "sort_keys", "sort_dirs", "fields")

# Controllers say what they answer with ``DOC = (ResourceType | None, list key | None)``,
# or ``LIST_KEY`` (the resource type is then the one defined in their module).


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


def routes(ctrl: Any, prefix: str,
           inherited: int = 0) -> Iterator[tuple[str, str, Any, Any]]:
    """``(path, http_method, handler, controller)`` for a controller and everything below.

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
        yield path, verb, fn, ctrl
        for p in own[len(required):]:
            path += "/{" + p.name + "}"
            yield path, verb, fn, ctrl
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


FILTER_HELP = ("A value, or an operator prefix: eq:, neq:, in:a,b, nin:a,b, gt:, gte:, lt:, "
               "lte:, has:")


def _documented(owner: Any, fn: Any) -> tuple[type[res.Resource] | None, str | None]:
    """The resource type a handler answers with, and its list key for ``get_all``."""
    declared = getattr(owner, "DOC", None)
    if declared is not None:
        name, key = declared
        resource = next((c for c in _resource_types() if c.__name__ == name), None)
    else:
        module = sys.modules[inspect.unwrap(fn).__module__]
        found = [v for v in vars(module).values()
                 if isinstance(v, type) and issubclass(v, res.Resource)
                 and v.__module__ == module.__name__]
        resource = found[0] if found else None
        key = getattr(owner, "LIST_KEY", None) or getattr(module, "LIST_KEY", None)
    return resource, key if fn.__name__ == "get_all" else None


def _operation(path: str, verb: str, fn: Any, owner: Any) -> dict[str, Any]:
    status = str(getattr(fn, "_mistral_status", 200))
    summary, description = describe(verb, path, inspect.getdoc(inspect.unwrap(fn)))
    op: dict[str, Any] = {
        "operationId": verb + "_" + re.sub(r"[{}]", "", path.strip("/").replace("/", "_")),
        "summary": summary,
        "description": description,
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
    resource, key = _documented(owner, fn)
    if verb == "get" and resource is not None:
        ref = {"$ref": f"#/components/schemas/{resource.__name__}"}
        schema: dict[str, Any] = ref
        if key is not None:
            schema = {"type": "object", "properties": {
                key: {"type": "array", "items": ref}, "next": {"type": "string"}}}
        op["responses"][status]["content"]["application/json"]["schema"] = schema
    filters = getattr(sys.modules[inspect.unwrap(fn).__module__], "FILTERS", None)
    if verb == "get" and key is not None and filters:
        names = list(LIST_PARAMS) + sorted(filters)
        op["parameters"] += [
            {"name": n, "in": "query", "required": False, "schema": {"type": "string"},
             **({} if n in LIST_PARAMS else {"description": FILTER_HELP})}
            for n in names
        ]
    if verb in ("post", "put"):
        parts = [s for s in path.split("/") if s and not s.startswith("{")]
        text = parts[-1] in TEXT_BODY
        body: dict[str, Any] = {"type": "string"} if text else {"type": "object"}
        if not text and resource is not None:
            body = {"$ref": f"#/components/schemas/{resource.__name__}"}
            if status != "204":
                op["responses"][status]["content"]["application/json"]["schema"] = body
        ctype = "text/plain" if text else "application/json"
        op["requestBody"] = {"required": True, "content": {ctype: {"schema": body}}}
    return op


def document(root: Any, base_url: str = "") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {"/": {}, "/v2": {}}
    fixed = (("/", "get_versions", "The API versions"), ("/v2", "get_v2", "v2"),
             ("/v2/openapi.json", "get_openapi", "This document"))
    for path, op_id, answer in fixed:
        summary, description = describe("get", path, None)
        paths.setdefault(path, {})["get"] = {
            "operationId": op_id, "summary": summary, "description": description,
            "responses": {"200": {"description": answer}}}
    paths["/"]["get"]["security"] = []  # the version list is public
    for name, ctrl in _subcontrollers(root):
        for path, verb, fn, owner in routes(ctrl, f"/v2/{name}"):
            paths.setdefault(path, {})[verb] = _operation(path, verb, fn, owner)
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
        "components": {"schemas": schemas, "securitySchemes": {"keystoneToken": {
            "type": "apiKey", "in": "header", "name": "X-Auth-Token",
            "description": "A Keystone token (``openstack token issue``). Required when the "
                           "service runs with [pecan] auth_enable = True; every route but / "
                           "then answers 401 without a valid one.",
        }}},
        "security": [{"keystoneToken": []}],
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
    def __init__(self, root: Any) -> None:
        self.root = root

    @http.expose(only="GET")
    def index(self) -> dict[str, Any]:
        return document(self.root, http.host_url())
