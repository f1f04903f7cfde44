"""Every operation of the OpenAPI document has a summary and a description, and the
document declares the Keystone token scheme (only / is public)."""

from __future__ import annotations

from mistral.api.controllers.v2 import openapi
from mistral.api.controllers.v2.root import V2Controller


def test_every_operation_is_summarized_and_described() -> None:
    doc = openapi.document(V2Controller())
    ops = [(verb, path, op) for path, item in doc["paths"].items() for verb, op in item.items()]
    assert len(ops) > 50
    missing = [f"{verb.upper()} {path}" for verb, path, op in ops
               if not op.get("summary") or len(op.get("description", "")) < 20]
    assert not missing, missing
    summaries = [(path.split("/")[2] if path.count("/") > 1 else path, op["summary"])
                 for verb, path, op in ops]
    assert len(set(summaries)) > len(ops) * 0.8  # not one text for everything


def test_token_security_scheme() -> None:
    doc = openapi.document(V2Controller())
    scheme = doc["components"]["securitySchemes"]["keystoneToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    assert doc["security"] == [{"keystoneToken": []}]
    assert doc["paths"]["/"]["get"]["security"] == []
    assert "security" not in doc["paths"]["/v2/workflows"]["get"]
