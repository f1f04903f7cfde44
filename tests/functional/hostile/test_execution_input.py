"""JSON a client sends (a body, or Mistral's JSON-in-a-string fields) is checked before it
reaches the engine: deep nesting, giant integers and NaN/Infinity are 400s that name the
field, not 500s from a RecursionError/ValueError deep in the stack, nor invalid JSON
echoed back to other clients. Nothing is stored."""

from __future__ import annotations

import json

import pytest

from tests.functional.api.client import ApiClient
from tests.functional.engine.harness import Harness

GREET = ("version: '2.0'\ngreet:\n  input: [name]\n  tasks:\n    t:\n"
         "      action: std.echo output=<% $.name %>\n")
DEEP = "[" * 900 + "]" * 900
BAD_INPUTS = {
    "deep in a string field": '{"name": %s}' % DEEP,
    "giant integer in a string field": '{"name": %s}' % ("9" * 5000),
    "NaN in a string field": '{"name": NaN}',
    "Infinity in a string field": '{"name": -Infinity}',
    "overflowing float in a string field": '{"name": 1e999}',
}
BAD_BODIES = {
    "deep in the body": '{"workflow_name": "greet", "input": {"name": %s}}' % DEEP,
    "giant integer in the body": '{"workflow_name": "greet", "input": {"name": %s}}' % ("9" * 5000),
    "NaN in the body": '{"workflow_name": "greet", "input": {"name": NaN}}',
    "overflowing float in the body": '{"workflow_name": "greet", "input": {"name": -1e400}}',
}


def _executions(api: ApiClient) -> list:
    return api.get("/v2/executions").json["executions"]


@pytest.mark.parametrize("label", sorted(BAD_INPUTS))
def test_bad_json_input_field_is_a_400(api: ApiClient, label: str) -> None:
    api.post("/v2/workflows", GREET)
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": BAD_INPUTS[label]})
    assert r.status_code == 400, r.text[:300]
    assert "Field 'input' is not valid JSON" in r.fault
    assert len(r.fault) < 300
    assert _executions(api) == []


@pytest.mark.parametrize("label", sorted(BAD_BODIES))
def test_bad_json_body_is_a_400(api: ApiClient, label: str) -> None:
    api.post("/v2/workflows", GREET)
    r = api.post("/v2/executions", BAD_BODIES[label], content_type="application/json")
    assert r.status_code == 400, r.text[:300]
    assert "Malformed JSON in request body" in r.fault
    assert _executions(api) == []


def test_deep_but_reasonable_input_runs(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", GREET)
    value = json.loads("[" * 90 + "1" + "]" * 90)
    r = api.post("/v2/executions", {"workflow_name": "greet",
                                    "input": json.dumps({"name": value})})
    assert r.status_code == 201, r.text[:300]
    harness.run_until_idle()
    ex = api.get(f"/v2/executions/{r.json['id']}").json
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["input"]) == {"name": value}
    assert json.loads(ex["output"]) == {}  # as Mistral 23: without an output, not the input


def test_overflowing_run_action_timeout_is_a_400(api: ApiClient) -> None:
    body = '{"name": "std.echo", "input": {"output": 1}, "params": {"timeout": 1e999}}'
    r = api.post("/v2/action_executions", body, content_type="application/json")
    assert r.status_code == 400, r.text[:300]
    assert "1e999 is out of range" in r.fault
