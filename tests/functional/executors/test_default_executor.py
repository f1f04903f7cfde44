"""The default executor with real actions; the engine side is a recording stand-in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from mistral import rpc
from mistral.actions import Action, ActionContext, ActionRegistry
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.executors import DefaultExecutor, LocalExecutor

CTX = RequestContext(project_id="p1")


class RecordingEngine:
    """Receives what an executor reports (only the executor-facing part of the Protocol)."""

    def __init__(self) -> None:
        self.results: dict[str, ActionResult] = {}
        self.heartbeats: list[list[str]] = []
        self.hosts: list[str | None] = []
        self.queued: list[list[str]] = []
        self.claims: list[str] = []
        self.claimed: dict[str, str] = {}
        self.lock = threading.Lock()

    def on_action_complete(self, ctx, action_ex_id, result, async_=False):
        with self.lock:
            assert action_ex_id not in self.results, "a result was delivered twice"
            self.results[action_ex_id] = result

    def on_actions_complete(self, ctx, action_ex_ids, results):
        for action_ex_id, result in zip(action_ex_ids, results):
            self.on_action_complete(ctx, action_ex_id, result)

    def report_running_actions(self, ctx, action_ex_ids, host=None, queued=False):
        with self.lock:
            if queued:
                self.queued.append(list(action_ex_ids))
                return
            self.heartbeats.append(list(action_ex_ids))
            self.hosts.append(host)

    def claim_actions(self, ctx, action_ex_ids, host, claim):
        """Grants the first claim of an id (and the same claim again), like the engine."""
        with self.lock:
            self.claims.extend(action_ex_ids)
            return [i for i in action_ex_ids if self.claimed.setdefault(i, claim) == claim]


def wait_until(cond: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


class Gate(Action):
    """Blocks until released; counts how many run at once."""

    gate = threading.Event()
    running = 0
    peak = 0
    lock = threading.Lock()

    def __init__(self) -> None:
        super().__init__()

    def run(self, context: ActionContext) -> str:
        with Gate.lock:
            Gate.running += 1
            Gate.peak = max(Gate.peak, Gate.running)
        Gate.gate.wait(20)
        with Gate.lock:
            Gate.running -= 1
        return context.action_execution_id or ""


class Boom(Action):
    def __init__(self) -> None:
        super().__init__()

    def run(self, context: ActionContext) -> None:
        raise KeyError("missing")


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    base = ActionRegistry.load()
    actions = {n: base.get(n) for n in base.names()}
    actions.update({"t.gate": Gate, "t.boom": Boom})
    return ActionRegistry(actions)


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def executor(registry: ActionRegistry, engine: RecordingEngine) -> Iterator[DefaultExecutor]:
    ex = DefaultExecutor(registry, engine, max_workers=2, heartbeat_interval=0.1, host="h1")
    ex.start()
    yield ex
    ex.stop(grace=0)


def req(ae: str, name: str, inp: dict | None = None, **kw) -> RunActionRequest:
    return RunActionRequest(action_ex_id=ae, action_name=name, action_input=inp or {}, **kw)


def test_results_and_errors_are_delivered_as_values(executor, engine) -> None:
    assert executor.run_action(CTX, req("a1", "std.echo", {"output": [1, "x"]})) is None
    executor.run_action(CTX, req("a2", "std.fail", {"error_data": {"e": 1}}))
    executor.run_action(CTX, req("a3", "std.fail"))
    executor.run_action(CTX, req("a4", "t.boom"))
    executor.run_action(CTX, req("a5", "std.nope"))
    executor.run_action(CTX, req("a6", "std.echo", {"outptu": 1}))
    wait_until(lambda: len(engine.results) == 6)
    r = engine.results
    assert r["a1"] == ActionResult(data=[1, "x"])
    assert r["a2"] == ActionResult(error={"e": 1})
    # an action that raises: worded as Mistral 23's executor words it
    assert r["a3"].error == ("The action raised an exception [action=Fail action, "
                             "action_ex_id=a3, msg='Fail action expected exception.']")
    assert r["a4"].error.startswith("The action raised an exception [action=<")
    assert r["a4"].error.endswith(">, action_ex_id=a4, msg=''missing'']")
    assert "std.nope" in r["a5"].error
    assert "unexpected parameters: outptu" in r["a6"].error and "missing parameters: output" in r["a6"].error
    wait_until(lambda: executor.running_ids() == [])


def test_sync_request_returns_the_result_without_calling_the_engine(executor, engine) -> None:
    assert executor.run_action(CTX, req("s1", "std.echo", {"output": 5}, is_sync=True)) == ActionResult(data=5)
    assert executor.run_action(CTX, req("s2", "std.fail", is_sync=True)).is_error()
    assert engine.results == {}


def test_async_action_reports_nothing_until_the_api_completes_it(executor, engine, registry) -> None:
    single = DefaultExecutor(registry, engine, max_workers=1, heartbeat_interval=0)
    single.start()
    try:
        single.run_action(CTX, req("x1", "std.async_noop"))
        single.run_action(CTX, req("x2", "std.noop"))  # runs after x1 on the one worker
        wait_until(lambda: "x2" in engine.results)
        assert "x1" not in engine.results
    finally:
        single.stop(grace=0)


def test_executor_takes_only_what_it_can_run_and_reports_queued_apart(executor, engine) -> None:
    """Beyond its slots a request waits in the thread that delivered it (so the broker
    keeps the rest for other executors); waiting ones are reported as queued, not as
    running, and are claimed only when they start."""
    Gate.gate.clear()
    Gate.peak = 0
    senders = [threading.Thread(target=executor.run_action, args=(CTX, req(f"g{i}", "t.gate")))
               for i in range(4)]
    for t in senders:
        t.start()
    wait_until(lambda: Gate.running == 2)
    wait_until(lambda: len(executor.queued_ids()) == 2)
    # the two requests beyond the slots wait in the threads that delivered them
    wait_until(lambda: sum(t.is_alive() for t in senders) == 2)
    queued = set(executor.queued_ids())
    wait_until(lambda: any(set(q) == queued for q in engine.queued))
    wait_until(lambda: any(len(hb) == 2 and not set(hb) & queued for hb in engine.heartbeats))
    assert not any(set(hb) & queued for hb in engine.heartbeats), "queued reported as running"
    assert not set(engine.claims) & queued, "claimed before it could start"
    Gate.gate.set()
    for t in senders:
        t.join(20)
    wait_until(lambda: len(engine.results) == 4)
    assert Gate.peak == 2
    assert {k: v.data for k, v in engine.results.items()} == {f"g{i}": f"g{i}" for i in range(4)}
    wait_until(lambda: executor.running_ids() == [])


def test_a_request_whose_claim_is_refused_does_not_run(executor, engine) -> None:
    engine.claimed["c1"] = "another-executor-process"
    executor.run_action(CTX, req("c1", "std.echo", {"output": "x"}))
    executor.run_action(CTX, req("c2", "std.echo", {"output": "y"}))
    wait_until(lambda: "c2" in engine.results)
    wait_until(lambda: executor.running_ids() == [])
    assert "c1" not in engine.results and "c1" in engine.claims


def test_cancel_reaches_the_running_action(executor, engine) -> None:
    executor.run_action(CTX, req("s1", "std.sleep", {"seconds": 60}))
    wait_until(lambda: "s1" in engine.claims and "s1" in executor.running_ids())
    wait_until(lambda: "s1" not in executor.queued_ids())
    executor.cancel_action(CTX, "s1")
    wait_until(lambda: executor.running_ids() == [])  # std.sleep noticed its cancel()
    assert "s1" not in engine.results  # the engine cancelled it: nothing to report


def test_timeout_cancels_the_action_and_reports_an_error(executor, engine) -> None:
    executor.run_action(CTX, req("t1", "std.sleep", {"seconds": 60}, timeout=0.5))
    wait_until(lambda: "t1" in engine.results)
    assert engine.results["t1"].error == "Action std.sleep timed out after 0.5 seconds"
    out = executor.run_action(CTX, req("t2", "std.sleep", {"seconds": 60}, timeout=0.3, is_sync=True))
    assert out == ActionResult(error="Action std.sleep timed out after 0.3 seconds")
    wait_until(lambda: executor.running_ids() == [])
    assert "t2" not in engine.results


def test_stop_abandons_running_actions_without_reporting_them(registry, engine) -> None:
    ex = DefaultExecutor(registry, engine, max_workers=2, heartbeat_interval=0.1)
    ex.start()
    ex.run_action(CTX, req("z1", "std.sleep", {"seconds": 60}))
    wait_until(lambda: ["z1"] in engine.heartbeats)
    ex.stop(grace=0.1)
    assert engine.results == {}
    assert ex.running_ids() == []
    assert ex.run_action(CTX, req("z2", "std.noop")) is None
    assert ex.run_action(CTX, req("z3", "std.noop", is_sync=True)).is_error()


def test_local_executor_attaches_its_engine(registry, engine) -> None:
    ex = LocalExecutor(registry, max_workers=1, heartbeat_interval=0)
    ex.attach_engine(engine)
    ex.start()
    try:
        ex.run_action(CTX, req("l1", "std.echo", {"output": "hi"}))
        wait_until(lambda: "l1" in engine.results)
        assert engine.results["l1"] == ActionResult(data="hi")
    finally:
        ex.stop()


def test_round_trip_over_rpc(registry, engine) -> None:
    transport = rpc.get_transport("fake:/")
    engine_server = rpc.make_engine_server(transport, engine, host="e1")
    ex = DefaultExecutor(registry, rpc.EngineClient(transport), max_workers=2, heartbeat_interval=0.1)
    ex_server = rpc.make_executor_server(transport, ex, host="x1")
    for s in (engine_server, ex_server):
        s.start()
    ex.start()
    try:
        client = rpc.ExecutorClient(transport, timeout=20)
        client.run_action(CTX, req("r1", "std.echo", {"output": {"k": "v"}}))
        assert client.run_action(CTX, req("r2", "std.echo", {"output": 2}, is_sync=True)) == ActionResult(data=2)
        client.run_action(CTX, req("r3", "std.sleep", {"seconds": 0.5}))
        wait_until(lambda: ["r3"] in engine.heartbeats)
        wait_until(lambda: {"r1", "r3"} <= set(engine.results))
        assert engine.results["r1"] == ActionResult(data={"k": "v"})
        assert engine.results["r3"] == ActionResult(data=None)
    finally:
        ex_server.stop()
        ex.stop()
        engine_server.stop()
        rpc.cleanup(transport)


class FlakyEngine(RecordingEngine):
    """An engine that is unreachable for its first ``failures`` results (a restart)."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def on_action_complete(self, ctx, action_ex_id, result, async_=False):
        from mistral.exceptions import ServiceUnavailableError

        if self.failures > 0:
            self.failures -= 1
            raise ServiceUnavailableError("engine restarting")
        super().on_action_complete(ctx, action_ex_id, result, async_)


def test_an_unreachable_engine_gets_the_result_later_and_heartbeats_go_on(registry) -> None:
    engine = FlakyEngine(failures=3)
    ex = DefaultExecutor(registry, engine, max_workers=1, heartbeat_interval=0.05)
    ex.start()
    try:
        ex.run_action(CTX, req("f1", "std.echo", {"output": 1}))
        wait_until(lambda: "f1" in engine.results)
        assert engine.results["f1"] == ActionResult(data=1)
        assert engine.failures == 0
        assert ["f1"] in engine.heartbeats  # still reported while the result was pending
    finally:
        ex.stop()


def test_an_accepted_action_is_claimed_at_once_not_at_the_next_interval(registry, engine) -> None:
    ex = DefaultExecutor(registry, engine, max_workers=1, heartbeat_interval=3600)
    ex.start()
    try:
        ex.run_action(CTX, req("k1", "std.sleep", {"seconds": 60}))
        wait_until(lambda: "k1" in engine.claims)  # the claim acknowledges it
    finally:
        ex.stop(grace=0)
    assert engine.results == {}


def test_a_duplicated_request_for_an_action_already_here_runs_it_once(executor, engine) -> None:
    Gate.gate.clear()
    Gate.peak = 0
    executor.run_action(CTX, req("d1", "t.gate"))
    wait_until(lambda: Gate.running == 1)
    executor.run_action(CTX, req("d1", "t.gate"))  # e.g. the engine re-sent it
    Gate.gate.set()
    wait_until(lambda: "d1" in engine.results)
    wait_until(lambda: executor.running_ids() == [])
    assert Gate.peak == 1  # RecordingEngine also asserts a single delivery


class StuckEngine(RecordingEngine):
    """An engine that takes results but never answers (overloaded, or a lost reply)."""

    def __init__(self) -> None:
        super().__init__()
        self.stuck = threading.Event()
        self.release = threading.Event()

    def on_action_complete(self, ctx, action_ex_id, result, async_=False):
        self.stuck.set()
        self.release.wait(20)
        super().on_action_complete(ctx, action_ex_id, result, async_)


def test_heartbeats_name_the_host_and_go_on_while_a_result_waits_for_the_engine(registry) -> None:
    engine = StuckEngine()
    Gate.gate.clear()
    ex = DefaultExecutor(registry, engine, max_workers=2, heartbeat_interval=0.05, host="node-9")
    ex.start()
    try:
        ex.run_action(CTX, req("s1", "t.gate"))  # runs on, must stay heartbeated
        wait_until(lambda: Gate.running == 1)      # claimed and started (not queued)
        ex.run_action(CTX, req("s2", "std.sleep", {"seconds": 30}, timeout=0.2))
        assert engine.stuck.wait(20)  # the timed-out result is being delivered, unanswered
        with engine.lock:
            seen = len(engine.heartbeats)
        wait_until(lambda: len(engine.heartbeats) >= seen + 3)
        with engine.lock:
            assert all("s1" in hb for hb in engine.heartbeats[seen:])
            assert set(engine.hosts) == {"node-9"}
    finally:
        engine.release.set()
        Gate.gate.set()
        ex.stop(grace=0)
    wait_until(lambda: "s2" in engine.results)  # delivered from its own thread
    assert engine.results["s2"].error == "Action std.sleep timed out after 0.2 seconds"


def test_with_heartbeats_off_nothing_is_reported_or_kept_for_them(registry, engine) -> None:
    ex = DefaultExecutor(registry, engine, max_workers=2, heartbeat_interval=0)
    ex.start()
    try:
        for i in range(20):
            ex.run_action(CTX, req(f"o{i}", "std.echo", {"output": i}))
        wait_until(lambda: len(engine.results) == 20)
    finally:
        ex.stop()
    assert engine.heartbeats == []
    assert ex._new_ids == []  # no acknowledgement backlog that nobody sends
