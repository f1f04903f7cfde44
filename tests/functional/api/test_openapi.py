"""/v2/openapi.json describes exactly the routes the server answers, both ways.

For every documented (path, method) the server routes the request (whatever the
resource answer, it is not a "no route" 404 or a 405). For every documented path, every
undocumented method is a 405, and one extra path segment is a "no route" 404.
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.functional.api.client import ApiClient, Reply
from tests.functional.api.seed import seed
from tests.functional.engine.harness import Harness

VERBS = ("get", "post", "put", "delete")


def _routing_miss(r: Reply) -> bool:
    if r.status_code == 405:
        return True
    return r.status_code == 404 and "no route" in r.json["faultstring"]


def _concrete(path: str) -> str:
    return "/".join("x" if seg.startswith("{") else seg for seg in path.split("/")) or "/"


def _matches(template: str, path: str) -> bool:
    t, p = template.split("/"), path.split("/")
    return len(t) == len(p) and all(a == b or a.startswith("{") for a, b in zip(t, p))


def _send(api: ApiClient, verb: str, path: str) -> Reply:
    body: Any = None
    if verb in ("post", "put"):
        body = {"name": "x"} if not path.rstrip("/").endswith(("workflows", "workbooks",
                                                               "actions", "validate")) else "x"
    return api.request(verb.upper(), path, body)


@pytest.fixture
def doc(api: ApiClient) -> dict[str, Any]:
    r = api.get("/v2/openapi.json")
    assert r.status_code == 200
    return r.json


def test_document_shape(doc: dict[str, Any]) -> None:
    validate(doc)  # a valid OpenAPI 3 document
    assert doc["openapi"].startswith("3.")
    for resource in ("workbooks", "workflows", "actions", "executions", "tasks",
                     "action_executions", "cron_triggers", "environments", "event_triggers",
                     "services"):
        assert f"/v2/{resource}" in doc["paths"], resource
    for path in ("/v2/executions/{id}/tasks", "/v2/tasks/{id}/action_executions",
                 "/v2/executions/{id}/executions", "/v2/executions/{id}/report",
                 "/v2/workflows/validate", "/v2/actions/validate", "/v2/workbooks/validate",
                 "/v2/workflows/{identifier}/members/{member_id}"):
        assert path in doc["paths"], path
    assert doc["paths"]["/v2/executions"]["post"]["responses"].keys() >= {"201"}
    assert "204" in doc["paths"]["/v2/executions/{id}"]["delete"]["responses"]
    assert set(doc["components"]["schemas"]) >= {"Execution", "Workflow", "Task", "Fault"}


def test_every_documented_route_is_answered(api: ApiClient, doc: dict[str, Any]) -> None:
    for path, ops in doc["paths"].items():
        for verb in ops:
            r = _send(api, verb, _concrete(path))
            assert r.status_code != 500, (verb, path, r.text)
            assert not _routing_miss(r), (verb, path, r.text)


def test_every_answered_route_is_documented(api: ApiClient, doc: dict[str, Any]) -> None:
    for path, ops in doc["paths"].items():
        concrete = _concrete(path)
        for verb in VERBS:
            if verb in ops:
                continue
            r = _send(api, verb, concrete)
            assert _routing_miss(r), (verb, path, r.status_code, r.text)
        deeper = concrete.rstrip("/") + "/x/y"
        if not any(_matches(p, deeper) for p in doc["paths"]):
            r = api.get(deeper)
            assert _routing_miss(r), (deeper, r.text)


def _schema(doc: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_documented_responses_match_real_ones(api: ApiClient, harness: Harness,
                                              doc: dict[str, Any]) -> None:
    real = seed(api, harness)
    checked = 0
    for template, ops in doc["paths"].items():
        if "get" not in ops or not template.startswith("/v2/"):
            continue
        content = ops["get"]["responses"]["200"].get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if "$ref" not in schema and not schema.get("properties"):
            continue
        resource = template.split("/")[2]
        path = "/".join(("" if seg == "{namespace}" else real[resource])
                        if seg.startswith("{") else seg for seg in template.split("/"))
        r = api.get(path)
        if r.status_code == 404 and ("members" in template or template.count("{") > 1):
            continue  # a member, or an item below another one (one made-up id for both)
        assert r.status_code in (200, 400), (path, r.text)
        if r.status_code != 200:
            continue
        body = r.json
        if "$ref" in schema:
            items, props = [body], _schema(doc, schema)["properties"]
        else:
            (key,) = [k for k in schema["properties"] if k != "next"]
            assert set(body) <= {key, "next"}, (path, set(body))
            items = body[key]
            props = _schema(doc, schema["properties"][key]["items"])["properties"]
        if not items:
            continue
        for item in items:
            assert "id" in item or "name" in item, path
            assert set(item) <= set(props), (path, set(item) - set(props))
        checked += 1
    assert checked >= 15
