"""Revert through the REST API: definitions refused with the place named, a revert on
request (PUT /v2/executions/<id> with params {"revert": true}), the reverts in the task
list and the report; on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.api.client import ApiClient
from tests.functional.engine.harness import Harness

DEPLOY = """
version: '2.0'
deploy:
  tasks:
    create:
      action: std.echo output=vm-1
      publish:
        vm: <% task().result %>
      revert: std.echo output="deleted <% $.vm %>"
      on-success: configure
    configure:
      action: std.fail
      revert:
        action: std.echo
        input:
          output: unconfigured <% task().state %>
"""


def test_revert_on_request_through_the_api(api_all_db: ApiClient,
                                            harness_all_db: Harness) -> None:
    api, harness = api_all_db, harness_all_db
    assert api.post("/v2/workflows", DEPLOY).status_code == 201
    ex = api.post("/v2/executions", {"workflow_name": "deploy"}).json
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    failed = api.get(path).json
    assert failed["state"] == "ERROR"

    r = api.put(path, {"params": json.dumps({"revert": True})})
    assert r.status_code == 200, r.text
    assert r.json["state"] == "RUNNING"
    assert r.json["state_info"].startswith("Reverting tasks after the failure:\n")
    harness.run_until_idle()

    done = api.get(path).json
    assert done["state"] == "ERROR"
    assert done["state_info"] == failed["state_info"].rstrip("\n") + \
        "\n\nReverted, every revert succeeded: configure, create\n"
    tasks = api.get(f"{path}/tasks?fields=name,state,result").json["tasks"]
    shown = [(t["name"], t["state"], json.loads(t["result"])) for t in tasks
             if t["name"].startswith("revert:")]
    assert sorted(shown) == [("revert:configure", "SUCCESS", "unconfigured ERROR"),
                             ("revert:create", "SUCCESS", "deleted vm-1")]
    report = api.get(f"{path}/report").json
    names = {t["name"] for t in report["root_workflow_execution"]["task_executions"]}
    assert {"revert:create", "revert:configure"} <= names

    # everything is reverted now: a second request has nothing to do
    again = api.put(path, {"params": {"revert": True}})
    assert again.status_code == 400 and "nothing to revert" in again.fault


def test_bad_revert_requests(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", DEPLOY.replace("action: std.fail", "action: std.async_noop"))
    ex = api.post("/v2/executions", {"workflow_name": "deploy"}).json
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    cases = [
        ({"params": {"revert": False}}, "'params.revert' must be true"),
        ({"params": {"revert": "yes"}}, "'params.revert' must be true"),
        ({"state": "CANCELLED", "params": {"revert": True}}, "given alone"),
        ({"params": {"revert": True, "env": {}}}, "given alone"),
        ({"params": {"revert": True}}, "only an ERROR or CANCELLED execution can be reverted"),
        ({"params": {"undo": True}}, "undo"),
    ]
    for body, needle in cases:
        r = api.put(path, body)
        assert r.status_code == 400, (body, r.text)
        assert needle in r.fault, (body, r.fault)
        assert "Traceback" not in r.text
    assert api.get(path).json["state"] == "RUNNING"  # nothing changed
    assert api.put("/v2/executions/no-such-id", {"params": {"revert": True}}).status_code == 404


@pytest.mark.parametrize("text, path, fragment", [
    ("version: '2.0'\nrv:\n  type: reverse\n  tasks:\n    t:\n      revert: std.noop\n",
     "rv.tasks.t.revert", "not allowed in a reverse workflow"),
    ("version: '2.0'\nwf:\n  revert-on-error: true\n  tasks:\n    t: {}\n",
     "wf.revert-on-error", "nothing to revert"),
    ("version: '2.0'\nwf:\n  revert-on-error: yes please\n  tasks:\n    t: {}\n",
     "wf.revert-on-error", "must be a boolean"),
    ("version: '2.0'\nwf:\n  tasks:\n    t:\n      revert: {input: {a: 1}}\n",
     "wf.tasks.t.revert", "either an 'action' or a 'workflow'"),
    ("version: '2.0'\nwf:\n  tasks:\n    t:\n      revert: {action: x, retry: {count: -1}}\n",
     "wf.tasks.t.revert.retry.count", "integer >= 0"),
    ("version: '2.0'\nwf:\n  tasks:\n    t:\n      revert: std.echo output=<% $. %>\n",
     "wf.tasks.t.revert", "Invalid YAQL"),
    ("version: '2.0'\nwf:\n  tasks:\n    t:\n      retry: {count: 1, backoff: linear}\n",
     "wf.tasks.t.retry.backoff", "must be one of"),
    ("version: '2.0'\nwf:\n  timeout: soon\n  tasks:\n    t: {}\n",
     "wf.timeout", "integer >= 0 or an expression"),
])
def test_bad_definitions_are_400_naming_the_place(api: ApiClient, text: str, path: str,
                                                  fragment: str) -> None:
    r = api.post("/v2/workflows", text)
    assert r.status_code == 400, r.text
    assert path in r.fault and fragment in r.fault, r.fault
    assert api.get("/v2/workflows").json["workflows"] == [] or all(
        w["name"] not in ("rv", "wf") for w in api.get("/v2/workflows").json["workflows"])
