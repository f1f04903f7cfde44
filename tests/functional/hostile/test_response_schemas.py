"""Real answers validate against the OpenAPI document's schemas (types too, not just keys).

A client generated from the document (or schemathesis) must not be surprised by a value:
e.g. a system action has no definition and no timestamps, so those fields are null.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from tests.functional.api.client import ApiClient
from tests.functional.api.seed import seed
from tests.functional.engine.harness import Harness


def _as_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 ``nullable`` → JSON Schema's ``type: [t, 'null']``."""
    if isinstance(schema, dict):
        out = {k: _as_json_schema(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable") and "type" in schema:
            out["type"] = [schema["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_as_json_schema(v) for v in schema]
    return schema


def test_real_answers_match_documented_types(api: ApiClient, harness: Harness) -> None:
    real = seed(api, harness)
    doc = api.get("/v2/openapi.json").json
    components = _as_json_schema(doc["components"])
    checked = 0
    for template, ops in doc["paths"].items():
        if "get" not in ops or not template.startswith("/v2/"):
            continue
        content = ops["get"]["responses"]["200"].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if not schema:
            continue
        resource = template.split("/")[2]
        path = "/".join(("" if seg == "{namespace}" else real[resource])
                        if seg.startswith("{") else seg for seg in template.split("/"))
        for query in ("", "?limit=1000"):
            r = api.get(path + query)
            if r.status_code != 200:
                continue
            full = dict(_as_json_schema(schema), components=components)
            try:
                jsonschema.validate(r.json, full)
            except jsonschema.ValidationError as e:
                raise AssertionError(f"{path}{query}: {e.message} at {list(e.absolute_path)}")
            checked += 1
    assert checked >= 15
