"""A workflow that calls itself without end fails at a nesting bound instead of building
subworkflows forever inside one transaction (the POST /v2/executions never answered and
the server's memory grew without limit)."""

from __future__ import annotations

import pytest

from mistral.engine import tasks
from tests.functional.api.client import ApiClient
from tests.functional.engine.harness import Harness

MUTUAL = ("version: '2.0'\nping:\n  tasks:\n    t:\n      workflow: pong\n"
          "pong:\n  tasks:\n    t:\n      workflow: ping\n")


def test_endless_subworkflow_recursion_fails_the_execution(api: ApiClient,
                                                           harness: Harness) -> None:
    assert api.post("/v2/workflows", MUTUAL).status_code == 201
    r = api.post("/v2/executions", {"workflow_name": "ping"})
    assert r.status_code == 201, r.text[:300]
    harness.run_until_idle()
    root = api.get(f"/v2/executions/{r.json['id']}").json
    assert root["state"] == "ERROR"
    everything = api.get("/v2/executions?limit=1000&fields=id,state,state_info").json
    execs = everything["executions"]
    assert {e["state"] for e in execs} == {"ERROR"}
    assert len(execs) == 65
    assert any("nested deeper than 64 levels" in (e["state_info"] or "") for e in execs)


FAN = ("version: '2.0'\nfan:\n  tasks:\n    t:\n      with-items: x in [1, 2, 3]\n"
       "      workflow: fan\n")


def test_recursive_fan_out_is_bounded(api: ApiClient, harness: Harness,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # 3 items calling itself: 3^64 subworkflows in one transaction without the bound.
    # The bound (2,000 by default) is lowered only to keep the test fast.
    monkeypatch.setattr(tasks, "MAX_NESTED_STARTS", 30)
    assert api.post("/v2/workflows", FAN).status_code == 201
    r = api.post("/v2/executions", {"workflow_name": "fan"})
    assert r.status_code == 201, r.text[:300]
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{r.json['id']}").json["state"] == "ERROR"
    execs = api.get("/v2/executions?limit=1000&fields=id,state,state_info").json["executions"]
    assert {e["state"] for e in execs} == {"ERROR"}
    assert len(execs) <= 1 + 3 + 30
    assert any("more than 30 nested subworkflows" in (e["state_info"] or "") for e in execs)


def test_wide_with_items_of_subworkflows_is_not_limited(api: ApiClient,
                                                        harness: Harness,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "MAX_NESTED_STARTS", 30)
    text = ("version: '2.0'\nleaf:\n  tasks:\n    t:\n      action: std.noop\n"
            "wide:\n  tasks:\n    t:\n      with-items: x in <% range(40) %>\n"
            "      workflow: leaf\n")
    assert api.post("/v2/workflows", text).status_code == 201
    r = api.post("/v2/executions", {"workflow_name": "wide"})
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{r.json['id']}").json["state"] == "SUCCESS"
