"""The Engine/Executor Protocols over RPC: fake:/ in one process and the real RabbitMQ."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from mistral import exceptions as exc
from mistral import rpc
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
from tests.integration.helpers import rabbit_vhost

CTX = RequestContext(project_id="p1", user_id="u1", roles=("admin",), request_id="req-1")


class RecordingEngine:
    """A stand-in Engine that records what reached it (the RPC layer is what is tested)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, RequestContext, tuple]] = []
        self.event = threading.Event()
        self.raise_on_start: BaseException | None = None

    def _record(self, name: str, ctx: RequestContext, *args: Any) -> None:
        self.calls.append((name, ctx, args))
        self.event.set()

    def start_workflow(self, ctx, wf_identifier, wf_namespace="", wf_ex_id=None, wf_input=None,
                       description="", params=None, trigger_id=None):
        self._record("start_workflow", ctx, wf_identifier, wf_namespace, wf_ex_id, wf_input, params)
        if self.raise_on_start is not None:
            raise self.raise_on_start
        return {"id": wf_ex_id or "wf-1", "workflow_name": wf_identifier, "input": wf_input,
                "state": "RUNNING"}

    def start_action(self, ctx, action_name, action_input=None, description=None, namespace="",
                     params=None):
        self._record("start_action", ctx, action_name, action_input)
        return {"id": "a-1", "name": action_name}

    def on_action_complete(self, ctx, action_ex_id, result, async_=False):
        self._record("on_action_complete", ctx, action_ex_id, result, async_)

    def on_actions_complete(self, ctx, action_ex_ids, results):
        self._record("on_actions_complete", ctx, action_ex_ids, results)

    def on_action_update(self, ctx, action_ex_id, state):
        self._record("on_action_update", ctx, action_ex_id, state)

    def pause_workflow(self, ctx, wf_ex_id):
        raise exc.InvalidStateTransitionError(f"Cannot pause {wf_ex_id}: it is SUCCESS")

    def resume_workflow(self, ctx, wf_ex_id, env=None):
        return {"id": wf_ex_id, "env": env}

    def stop_workflow(self, ctx, wf_ex_id, state, message=None):
        return {"id": wf_ex_id, "state": state, "state_info": message}

    def rerun_workflow(self, ctx, task_ex_id, reset=True, skip=False, env=None):
        raise ZeroDivisionError("a bug")

    def revert_workflow(self, ctx, wf_ex_id):
        self._record("revert_workflow", ctx, wf_ex_id)
        return {"id": wf_ex_id, "state": "RUNNING"}

    def claim_actions(self, ctx, action_ex_ids, host, claim):
        self._record("claim_actions", ctx, action_ex_ids, host, claim)
        return [i for i in action_ex_ids if i != "taken"]

    def report_running_actions(self, ctx, action_ex_ids, host=None, queued=False):
        if host is None:
            self._record("report_running_actions", ctx, action_ex_ids)
        else:
            self._record("report_running_actions", ctx, action_ex_ids, host)


class RecordingExecutor:
    def __init__(self, name: str) -> None:
        self.name = name
        self.requests: list[RunActionRequest] = []
        self.event = threading.Event()

    def run_action(self, ctx, request):
        self.requests.append(request)
        self.event.set()
        if request.is_sync:
            return ActionResult(data={"ran_on": self.name, "input": request.action_input})
        return None


@pytest.fixture(scope="module", params=["fake", "rabbit"])
def transport_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "fake":
        yield "fake:/"
        return
    with rabbit_vhost() as url:
        yield url


@pytest.fixture(scope="module")
def transport(transport_url: str) -> Iterator[rpc.Transport]:
    t = rpc.get_transport(transport_url)
    yield t
    rpc.cleanup(t)


@pytest.fixture
def engine_pair(transport: rpc.Transport) -> Iterator[tuple[RecordingEngine, rpc.EngineClient]]:
    engine = RecordingEngine()
    server = rpc.make_engine_server(transport, engine, host="engine-1")
    server.start()
    try:
        yield engine, rpc.EngineClient(transport, timeout=20)
    finally:
        server.stop()


def _wait(event: threading.Event) -> None:
    assert event.wait(20), "the message never arrived"


def test_call_returns_the_engines_answer_and_carries_the_context(engine_pair) -> None:
    engine, client = engine_pair
    out = client.start_workflow(CTX, "wb.wf", wf_ex_id="x-1", wf_input={"a": [1, 2]})
    assert out == {"id": "x-1", "workflow_name": "wb.wf", "input": {"a": [1, 2]}, "state": "RUNNING"}
    name, ctx, args = engine.calls[0]
    assert name == "start_workflow"
    assert ctx == CTX
    assert args == ("wb.wf", "", "x-1", {"a": [1, 2]}, None)  # as the caller gave them
    assert client.revert_workflow(CTX, "x-1") == {"id": "x-1", "state": "RUNNING"}
    assert engine.calls[-1] == ("revert_workflow", CTX, ("x-1",))


def test_domain_errors_reach_the_caller_as_the_same_class(engine_pair) -> None:
    engine, client = engine_pair
    with pytest.raises(exc.InvalidStateTransitionError, match="Cannot pause w-9"):
        client.pause_workflow(CTX, "w-9")
    engine.raise_on_start = exc.DSLError(
        errors=[exc.DSLProblem(path="tasks.t1", message="bad", line=3)]
    )
    with pytest.raises(exc.DSLError) as info:
        client.start_workflow(CTX, "wf")
    assert type(info.value) is exc.DSLError
    assert info.value.errors == [exc.DSLProblem(path="tasks.t1", message="bad", line=3)]
    engine.raise_on_start = exc.NotFoundError("Workflow not found [name=wf]")
    with pytest.raises(exc.NotFoundError) as info2:
        client.start_workflow(CTX, "wf")
    assert type(info2.value) is exc.NotFoundError
    assert str(info2.value) == "Workflow not found [name=wf]"


def test_an_unexpected_engine_error_is_a_plain_domain_error_without_traceback(engine_pair) -> None:
    _, client = engine_pair
    with pytest.raises(exc.MistralError) as info:
        client.rerun_workflow(CTX, "t-1")
    assert type(info.value) is exc.MistralError
    assert "ZeroDivisionError: a bug" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_claims_travel_as_one_call_and_a_malformed_call_is_refused(engine_pair) -> None:
    engine, client = engine_pair
    assert client.claim_actions(CTX, ["a", "taken", "b"], "exec-1", "exec-1:7:x") == ["a", "b"]
    assert engine.calls[-1] == ("claim_actions", CTX, (["a", "taken", "b"], "exec-1", "exec-1:7:x"))
    for bad in ({"call": "DropTablesCall", "args": {}}, {"call": "PauseWorkflowCall", "args": {}},
                "not a call"):
        with pytest.raises(exc.MistralError) as info:
            client._call(CTX, "handle", call=bad)
        assert type(info.value) is exc.MistralError
        assert "RPC call" in str(info.value)


def test_results_and_heartbeats_deliver_typed_payloads(engine_pair) -> None:
    engine, client = engine_pair
    client.on_action_complete(CTX, "ae-1", ActionResult(error={"why": "boom"}))
    name, ctx, args = engine.calls[-1]  # a call: the engine has it when it returns
    assert (name, args) == ("on_action_complete", ("ae-1", ActionResult(error={"why": "boom"}), False))
    assert ctx.project_id == "p1"
    client.on_actions_complete(CTX, ["ae-2", "ae-3"], [ActionResult(data=2), ActionResult(cancel=True)])
    assert engine.calls[-1][2] == (["ae-2", "ae-3"], [ActionResult(data=2), ActionResult(cancel=True)])
    engine.event.clear()
    client.report_running_actions(CTX, ["ae-1", "ae-2"])
    _wait(engine.event)
    assert engine.calls[-1][0] == "report_running_actions"
    assert engine.calls[-1][2] == (["ae-1", "ae-2"],)
    engine.event.clear()
    client.report_running_actions(CTX, ["ae-3"], host="exec-7")
    _wait(engine.event)
    assert engine.calls[-1][2] == (["ae-3"], "exec-7")


class SlowHeartbeatEngine:
    """Applies heartbeats slowly and records how many ran at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.applied: list[tuple[list[str], str | None]] = []
        self.release = threading.Event()

    def report_running_actions(self, ctx, action_ex_ids, host=None, queued=False):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        self.release.wait(20)
        with self.lock:
            self.running -= 1
            self.applied.append((list(action_ex_ids), host))


def test_heartbeats_are_applied_one_at_a_time_and_merged_while_one_is_applied(transport) -> None:
    engine = SlowHeartbeatEngine()
    server = rpc.make_engine_server(transport, engine, host="engine-hb")
    server.start()
    client = rpc.EngineClient(transport, timeout=20)
    try:
        client.report_running_actions(CTX, ["a1"], host="x1")
        wait = time.monotonic() + 20
        while engine.running == 0 and time.monotonic() < wait:
            time.sleep(0.01)
        for i in range(10):  # queue up behind the one being applied
            client.report_running_actions(CTX, [f"b{i}"], host="x1")
        client.report_running_actions(CTX, ["c1"], host="x2")
        # nothing to wait on but the broker: the casts reach the sink in order
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.heartbeats.pending() < 11:
            time.sleep(0.01)
        assert server.heartbeats.backlog() > 0  # reports wait: the engine knows it is behind
        engine.release.set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len({i for ids, _ in engine.applied for i in ids}) < 12:
            time.sleep(0.01)
    finally:
        engine.release.set()
        server.stop()
    assert engine.peak == 1
    assert server.heartbeats.backlog() == 0.0
    by_host = {}
    for ids, host in engine.applied:
        by_host.setdefault(host, set()).update(ids)
    assert by_host == {"x1": {"a1"} | {f"b{i}" for i in range(10)}, "x2": {"c1"}}
    assert len(engine.applied) == 3  # a1 alone, then one write per host



def test_executor_sync_call_async_cast_and_target_routing(transport: rpc.Transport) -> None:
    ex1, ex2 = RecordingExecutor("h1"), RecordingExecutor("h2")
    servers = [
        rpc.make_executor_server(transport, ex1, host="h1"),
        rpc.make_executor_server(transport, ex2, host="h2"),
    ]
    for s in servers:
        s.start()
    try:
        client = rpc.ExecutorClient(transport, timeout=20)
        for _ in range(3):
            res = client.run_action(
                CTX, RunActionRequest("ae-1", "std.echo", {"output": 1}, is_sync=True, target="h2")
            )
            assert res == ActionResult(data={"ran_on": "h2", "input": {"output": 1}})
        assert ex1.requests == []
        assert client.run_action(CTX, RunActionRequest("ae-2", "std.noop", target="h1")) is None
        _wait(ex1.event)
        assert ex1.requests[0].action_ex_id == "ae-2"
        assert ex1.requests[0].action_name == "std.noop"
    finally:
        for s in servers:
            s.stop()


def test_a_call_nobody_answers_is_service_unavailable(transport: rpc.Transport) -> None:
    client = rpc.EngineClient(transport, topic="nobody-listens", timeout=1)
    with pytest.raises(exc.ServiceUnavailableError, match="nobody-listens"):
        client.start_workflow(CTX, "wf")


def test_bad_transport_url_is_a_config_error() -> None:
    with pytest.raises(exc.ConfigError, match="nosuchdriver"):
        rpc.get_transport("nosuchdriver://x")


def test_server_threads_are_capped_by_default_but_an_operators_value_wins() -> None:
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([])
    assert rpc.limit_server_threads(conf, 40) == 40
    assert rpc.limit_server_threads(conf, 100) == 40  # a cap never raises the size
    own = cfg.ConfigOpts()
    own([])
    rpc.limit_server_threads(own, 100)
    own.set_override("executor_thread_pool_size", 90)
    assert rpc.limit_server_threads(own, 40) == 90


def test_prefetch_is_limited_by_default_but_an_operators_value_wins() -> None:
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([])
    assert rpc.limit_prefetch(conf, 8) == 8
    own = cfg.ConfigOpts()
    own([])
    rpc.limit_prefetch(own, 8)
    own.set_override("rabbit_qos_prefetch_count", 50, group="oslo_messaging_rabbit")
    assert rpc.limit_prefetch(own, 8) == 50
