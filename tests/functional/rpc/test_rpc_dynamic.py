"""A dynamic action's request crosses RPC with its code source to a real executor: the
executor process needs no database. On fake:/ (oslo.messaging's fake driver serializes
every message to JSON, as a broker would; the RabbitMQ path of the same payload types is
covered by test_rpc.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mistral import rpc
from mistral.actions import dynamic
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.executors.default import DefaultExecutor

SOURCE = '''class Double:
    """Doubles a number."""

    def __init__(self, n):
        self.n = n

    def run(self, context):
        return {"doubled": self.n * 2, "project": context.request.project_id}
'''


@pytest.fixture
def transport() -> Iterator[rpc.Transport]:
    t = rpc.get_transport("fake:/")
    yield t
    rpc.cleanup(t)


def test_a_dynamic_action_runs_on_a_remote_executor(transport: rpc.Transport) -> None:
    executor = DefaultExecutor(ActionRegistry({}), engine=None, max_workers=2,
                               heartbeat_interval=0, host="dyn-exec")
    executor.start()
    server = rpc.make_executor_server(transport, executor, host="dyn-exec")
    server.start()
    try:
        ref = dynamic.DynamicRef("cs-1", "doubling", dynamic.source_checksum(SOURCE), "Double",
                                 SOURCE)
        client = rpc.ExecutorClient(transport, timeout=20)
        req = RunActionRequest("ae-1", "double", {"n": 21}, is_sync=True, target="dyn-exec",
                               dynamic=ref.to_dict())
        result = client.run_action(RequestContext(project_id="p-9"), req)
        assert result == ActionResult(data={"doubled": 42, "project": "p-9"})
        bad = RunActionRequest("ae-2", "double", {}, is_sync=True, target="dyn-exec",
                               dynamic=ref.to_dict())
        result = client.run_action(RequestContext(project_id="p-9"), bad)
        assert result is not None and "missing parameters: n" in str(result.error)
    finally:
        server.stop()
        executor.stop(grace=1)
