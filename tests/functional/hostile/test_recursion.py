"""A workflow that calls itself without end fails at a nesting bound instead of building
subworkflows forever inside one transaction (the POST /v2/executions never answered and
the server's memory grew without limit)."""

from __future__ import annotations

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
