"""The API over an RPC engine client (fake:/ transport): answers and errors cross the wire.

Same real ``DefaultEngine`` as the other API tests, but behind an oslo.messaging server,
so every engine call the API makes is an RPC call and every domain error comes back as
a value that must still map to the right status code.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mistral import rpc
from tests.functional.api.client import ApiClient, build_client
from tests.functional.api.samples import ASYNC, WORKFLOWS
from tests.functional.engine.harness import Harness


@pytest.fixture
def rpc_api(sqlite_database: Any, harness: Harness) -> Iterator[ApiClient]:
    transport = rpc.get_transport("fake:/")
    topic = f"api-test-{uuid.uuid4().hex}"
    server = rpc.make_engine_server(transport, harness.engine, host="engine-1", topic=topic)
    server.start()
    try:
        yield build_client(sqlite_database, engine=rpc.EngineClient(transport, topic=topic,
                                                                    timeout=30))
    finally:
        server.stop()
        rpc.cleanup(transport)


def test_executions_over_rpc(rpc_api: ApiClient, harness: Harness) -> None:
    api = rpc_api
    api.post("/v2/workflows", WORKFLOWS + ASYNC.replace("---\nversion: '2.0'\n", ""))
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": {"name": "Rpc"}})
    assert r.status_code == 201, r.text
    harness.run_until_idle()
    done = api.get(f"/v2/executions/{r.json['id']}").json
    assert done["state"] == "SUCCESS" and json.loads(done["output"]) == {"text": "Hello, Rpc"}

    bad = api.post("/v2/executions", {"workflow_name": "greet", "input": {}})
    assert bad.status_code == 400 and "name" in bad.fault
    refused = api.put(f"/v2/executions/{r.json['id']}", {"state": "PAUSED"})
    assert refused.status_code == 400 and refused.fault

    waiting = api.post("/v2/executions", {"workflow_name": "waiting"}).json
    harness.run_until_idle()
    assert api.put(f"/v2/executions/{waiting['id']}", {"state": "PAUSED"}).json["state"] \
        == "PAUSED"
    assert api.put(f"/v2/executions/{waiting['id']}", {"state": "RUNNING"}).json["state"] \
        == "RUNNING"


def test_actions_over_rpc(rpc_api: ApiClient, harness: Harness) -> None:
    api = rpc_api
    r = api.post("/v2/action_executions", {"name": "std.echo", "input": {"output": "rpc"}})
    assert r.status_code == 201, r.text
    assert json.loads(r.json["output"]) == {"result": "rpc"}
    missing = api.post("/v2/action_executions", {"name": "std.missing"})
    assert missing.status_code in (400, 404) and "std.missing" in missing.fault
    api.post("/v2/workflows", ASYNC)
    ex = api.post("/v2/executions", {"workflow_name": "waiting"}).json
    harness.run_until_idle()
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    action = api.get(f"/v2/tasks/{task['id']}/action_executions").json["action_executions"][0]
    done = api.put(f"/v2/action_executions/{action['id']}",
                   {"state": "SUCCESS", "output": json.dumps("yes")})
    assert done.status_code == 200 and done.json["state"] == "SUCCESS"
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{ex['id']}").json["state"] == "SUCCESS"
