"""Strings no store can hold — a lone surrogate (JSON's ``"\\ud800"``), a NUL — in any
JSON field are a 400 naming the field, on every backend, found once where bodies are
parsed (they were a 500 ``DBInvalidUnicodeParameter`` on these routes)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.api.client import ApiClient

WF = """---
version: '2.0'
greet:
  input: [name]
  tasks:
    t:
      action: std.noop
"""

BAD = ("\ud800", "a\udfffz", "nul\x00")


def _bodies(bad: str) -> list[tuple[str, dict[str, Any], str]]:
    return [
        ("/v2/cron_triggers", {"name": "c" + bad, "workflow_name": "greet",
                               "pattern": "* * * * *", "workflow_input": {"name": "x"}}, "name"),
        ("/v2/cron_triggers", {"name": "c1", "workflow_name": "greet", "pattern": "* * * * *",
                               "workflow_input": {"name": bad}}, "workflow_input.name"),
        ("/v2/executions", {"workflow_name": "greet", "input": {"name": bad}}, "input.name"),
        ("/v2/executions", {"workflow_name": "greet",
                            "input": json.dumps({"name": [bad]})}, "input.name[0]"),
        ("/v2/executions", {"workflow_name": "greet", "input": {"name": "x"},
                            "description": bad}, "description"),
        ("/v2/action_executions", {"name": "std.echo", "input": {"output": bad}},
         "input.output"),
        ("/v2/environments", {"name": "env", "variables": {"k": {"deep": bad}}},
         "variables.k.deep"),
        ("/v2/environments", {"name": "env" + bad, "variables": {}}, "name"),
    ]


@pytest.mark.parametrize("bad", BAD, ids=("surrogate", "low-surrogate", "nul"))
def test_bad_strings_are_a_400_naming_the_field(api_all_db: ApiClient, bad: str) -> None:
    assert api_all_db.post("/v2/workflows", WF).status_code == 201
    for path, body, field in _bodies(bad):
        r = api_all_db.post(path, body)
        assert r.status_code == 400, (path, field, r.status_code, r.text)
        assert f"'{field}'" in r.fault, (path, r.fault)
    for path in ("/v2/cron_triggers", "/v2/executions", "/v2/environments"):
        listed = api_all_db.get(path).json
        assert not next(iter(v for k, v in listed.items() if isinstance(v, list))), path


def test_a_bad_key_is_named_too(api_all_db: ApiClient) -> None:
    r = api_all_db.post("/v2/environments", {"name": "env", "variables": {"k\ud800": 1}})
    assert r.status_code == 400 and "'variables'" in r.fault, r.text


def test_an_action_result_with_a_bad_string_is_refused(api: ApiClient) -> None:
    run = api.post("/v2/action_executions", {"name": "std.noop", "input": {},
                                             "params": {"save_result": True}})
    assert run.status_code == 201, run.text
    r = api.request("PUT", f"/v2/action_executions/{run.json['id']}",
                    {"state": "SUCCESS", "output": json.dumps({"x": "\ud800"})})
    assert r.status_code == 400 and "'output.x'" in r.fault, r.text
