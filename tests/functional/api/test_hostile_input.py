"""Whatever a client sends, the answer is a proper status and a fault body — never a 500.

Every documented route gets hostile bodies and query strings, with made-up and with real
ids (seeded by running a workflow first), on every database backend (PostgreSQL, for one,
refuses NUL characters that SQLite stores).
"""

from __future__ import annotations

import json
from typing import Any

from tests.functional.api.client import ApiClient
from tests.functional.api.seed import seed
from tests.functional.engine.harness import Harness

LAUGHS = "version: '2.0'\n" + "".join(
    f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9 if i else ['"lol"'] * 9) + "]\n"
    for i in range(9)
)
BODIES: list[Any] = [
    None, "", "null", "[]", "{}", "0", '"text"', '{"name": null}', '{"name": 1}',
    '{"state": 5, "params": "[", "input": 3}', '{"id": "../../etc"}', "[" * 5000 + "]" * 5000,
    '{"a": ' * 3000 + "1" + "}" * 3000, "\x00\x01binary", b"\xff\xfe\xfd", LAUGHS,
    "version: '2.0'\nwf:\n  tasks: " + "{a: " * 500 + "1" + "}" * 500,
    '{"state": "RUNNING", "reset": "yes", "env": "{}"}',
    '{"name": "std.echo", "input": {"output": {"deep": [1, 2, {"x": null}]}}, "params": {}}',
    '{"member_id": ["a"], "status": {}}', '{"workflow_name": "greet", "input": "null"}',
    '{"name": "nul\\u0000here", "variables": {"k\\u0000": "v"}, "workflow_name": "g\\u0000"}',
    '{"name": "x", "input": {"deep": ["\\u0000"]}, "description": "\\u0000"}',
]
QUERIES = ["", "?name=%00", "?marker=%00", "?limit=-1", "?limit=0", "?marker=zzz",
           "?sort_keys=,,,", "?fields=", "?created_at=gt:", "?created_at=gt:0001-01-01",
           "?updated_at=lt:9999-12-31 23:59:59", "?name=" + "n" * 1000,
           "?id=in:" + "x," * 300, "?force=maybe", "?max_depth=abc", "?namespace=%00",
           "?state=in:", "?errors_only=2", "?scope=", "?sort_dirs=asc,desc,asc",
           "?name=has:%25_", "?include_output=yes"]


def _paths(template: str, real: dict[str, str], with_fake: bool = True) -> list[str]:
    """The route with real ids, and (when asked) with made-up ones."""
    parts = template.split("/")
    resource = parts[2] if len(parts) > 2 else ""
    fake = "/".join("x" if p.startswith("{") else p for p in parts)
    real_path = "/".join(real.get(resource, "x") if p.startswith("{") else p for p in parts)
    if real_path == fake:
        return [fake]
    return [real_path, fake] if with_fake else [real_path]


def _check(r: Any, what: str) -> None:
    assert r.status_code < 500, (what, r.status_code, r.text[:300])
    if r.status_code >= 400:
        body = json.loads(r.text)
        # A definition upload's error is the message alone, as Mistral 23's.
        assert set(body) in ({"faultstring", "faultcode", "debuginfo"}, {"faultstring"}), what
        assert body["faultstring"], what


def test_hostile_bodies_never_cause_a_500(api_all_db: ApiClient, harness_all_db: Harness) -> None:
    api, harness = api_all_db, harness_all_db
    real = seed(api, harness)
    doc = api.get("/v2/openapi.json").json
    for template, ops in doc["paths"].items():
        for verb in ops:
            if verb not in ("post", "put"):
                continue
            for path in _paths(template, real, harness.db.is_sqlite):
                for body in BODIES:
                    for ctype in ("application/json", "text/plain"):
                        r = api.request(verb.upper(), path, body if body is not None else None,
                                        content_type=ctype)
                        _check(r, f"{verb} {path} {ctype} {str(body)[:40]!r}")


def test_hostile_queries_never_cause_a_500(api_all_db: ApiClient, harness_all_db: Harness) -> None:
    api, harness = api_all_db, harness_all_db
    real = seed(api, harness)
    doc = api.get("/v2/openapi.json").json
    for template, ops in doc["paths"].items():
        for verb in ("get", "delete"):
            if verb not in ops:
                continue
            # Made-up ids never reach a row; one backend is enough for them.
            for path in _paths(template, real, harness.db.is_sqlite):
                for query in QUERIES:
                    r = api.request(verb.upper(), path + query)
                    _check(r, f"{verb} {path}{query}")
