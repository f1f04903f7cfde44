"""The same engine behind RPC (fake:/ transport): API-side client → engine server →
executor server → DefaultExecutor → back to the engine. Real threads, one process."""

from __future__ import annotations

import time
from typing import Any, Iterator

import pytest

from mistral import exceptions as exc
from mistral import rpc
from mistral.actions.registry import ActionRegistry
from mistral.engine.default_engine import DefaultEngine
from mistral.engine.settings import EngineSettings
from mistral.executors.default import DefaultExecutor
from tests.functional.engine.harness import CTX, FakeClock, FakeScheduler, Harness, result_of


@pytest.fixture
def remote(sqlite_database: Any) -> Iterator[tuple[Any, Harness]]:
    transport = rpc.get_transport("fake:/")
    registry = ActionRegistry.load()
    engine = DefaultEngine(sqlite_database, rpc.ExecutorClient(transport, timeout=10),
                           FakeScheduler(sqlite_database, FakeClock()), EngineSettings(),
                           registry=registry)
    executor = DefaultExecutor(registry, rpc.EngineClient(transport, timeout=10),
                               max_workers=4, heartbeat_interval=0.5, host="ex-1")
    servers = [rpc.make_engine_server(transport, engine, host="engine-1"),
               rpc.make_executor_server(transport, executor, host="ex-1")]
    executor.start()
    for s in servers:
        s.start()
    try:
        yield rpc.EngineClient(transport, timeout=10), Harness(sqlite_database)
    finally:
        for s in servers:
            s.stop()
        executor.stop()
        rpc.cleanup(transport)


def _wait(h: Harness, wf_id: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        wf = h.execution(wf_id)
        if wf["state"] in ("SUCCESS", "ERROR", "CANCELLED"):
            return wf
        time.sleep(0.05)
    raise AssertionError(f"execution {wf_id} did not finish")


def test_workflow_over_rpc(remote: tuple[Any, Harness]) -> None:
    client, h = remote
    h.define("""
version: '2.0'
wf:
  input: [names]
  output: {all: <% $.all %>}
  tasks:
    greet:
      with-items: n in <% $.names %>
      action: std.echo output="hi <% $.n %>"
      publish: {all: <% task().result %>}
""")
    wf = client.start_workflow(CTX, "wf", wf_input={"names": ["a", "b", "c"]})
    assert wf["state"] == "RUNNING"
    done = _wait(h, wf["id"])
    assert done["state"] == "SUCCESS", done["state_info"]
    assert done["output"] == {"all": ["hi a", "hi b", "hi c"]}
    assert result_of(h.task(wf["id"], "greet")) == ["hi a", "hi b", "hi c"]


def test_domain_errors_cross_rpc_as_themselves(remote: tuple[Any, Harness]) -> None:
    client, h = remote
    h.define("""
version: '2.0'
wf:
  input: [x]
  tasks:
    t:
      action: std.noop
""")
    with pytest.raises(exc.InputError) as e:
        client.start_workflow(CTX, "wf", wf_input={})
    assert "missing: x" in str(e.value)
    with pytest.raises(exc.NotFoundError):
        client.start_workflow(CTX, "nope", wf_input={})
    wf = client.start_workflow(CTX, "wf", wf_input={"x": 1})
    _wait(h, wf["id"])
    with pytest.raises(exc.InvalidStateTransitionError):
        client.resume_workflow(CTX, wf["id"])
    ax = client.start_action(CTX, "std.echo", {"output": 5}, params={"run_sync": True})
    assert ax["output"] == {"result": 5}
