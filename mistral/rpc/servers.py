"""RPC servers: thin endpoints that decode typed calls and delegate to a local Engine/Executor.

Each endpoint has one ``handle(ctx, call)`` method: ``serialization.decode`` turns the
payload into its ``mistral.engine.interface.Call`` and the call names the method of the
local engine (executor) that receives its arguments; nothing here repeats a signature.

Servers use oslo.messaging's threading executor (never eventlet). Every endpoint method
answers with a value (see ``serialization``): exceptions never cross the wire as
tracebacks. For casts nobody reads the reply, so failures are only logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import oslo_messaging

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.engine.interface import (
    ENGINE_CALLS, EXECUTOR_CALLS, Engine, Executor, ReportRunningActionsCall, RunActionCall,
)
from mistral.rpc import serialization
from mistral.rpc.clients import ENGINE_TOPIC, EXECUTOR_TOPIC
from mistral.rpc.transport import Transport
from mistral.utils import logcontext

LOG = logging.getLogger(__name__)


class EngineEndpoint:
    """Receives the typed engine calls (``ENGINE_CALLS``) on its one ``handle`` method and
    hands each to the engine method it names; heartbeats go to the ``HeartbeatSink``."""

    def __init__(self, engine: Engine, heartbeats: HeartbeatSink | None = None) -> None:
        self._engine = engine
        self._heartbeats = heartbeats or HeartbeatSink(engine)

    def handle(self, ctx: RequestContext, call: dict) -> dict:
        try:
            typed = serialization.decode(call, ENGINE_CALLS)
        except exc.MistralError as e:
            LOG.warning("%s", e)
            return serialization.failure_reply(e)
        if isinstance(typed, ReportRunningActionsCall):
            self._heartbeats.add(ctx, list(typed.action_ex_ids), typed.host,
                                 queued=bool(typed.queued))
            return serialization.ok_reply(None)
        return serialization.guarded_call(
            typed.METHOD, getattr(self._engine, typed.METHOD), ctx, **typed.arguments())


class HeartbeatSink:
    """Applies executor heartbeats on one thread of its own, merging those that queue up.

    A heartbeat is a cast: the broker forgot it before it was handled, so handing it to
    this thread loses nothing a synchronous handler would keep. What it buys: heartbeat
    writes never run concurrently with each other (no deadlocks between two of them, no
    pile of transactions holding database connections on a busy engine), and a burst of
    reports from many executors costs one write per host instead of one per report.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        #: (host, queued) -> ids reported since the last write
        self._pending: dict[tuple[str | None, bool], set[str]] = {}
        self._ctx: RequestContext | None = None
        self._cond = threading.Condition()
        self._busy = False
        self._since: float | None = None  # when the oldest pending report arrived
        self._applying_since: float | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def add(self, ctx: RequestContext, action_ex_ids: list[str], host: str | None,
            queued: bool = False) -> None:
        with self._cond:
            if self._stopping:
                return
            self._pending.setdefault((host, queued), set()).update(action_ex_ids)
            if self._since is None:
                self._since = time.monotonic()
            self._ctx = ctx
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mistral-heartbeats", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def backlog(self) -> float:
        """Seconds since the oldest report not applied yet arrived (0 when none): the
        engine's reconciler adds it to its heartbeat deadline."""
        with self._cond:
            oldest = [t for t in (self._since, self._applying_since) if t is not None]
        return time.monotonic() - min(oldest) if oldest else 0.0

    def pending(self) -> int:
        """How many reported ids wait to be applied."""
        with self._cond:
            return sum(len(ids) for ids in self._pending.values())

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every heartbeat received so far is applied (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self) -> None:
        self.flush(5.0)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5.0)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if not self._pending:
                    return
                batch, self._pending = self._pending, {}
                ctx = self._ctx
                self._busy = True
                self._applying_since, self._since = self._since, None
            try:
                for (host, queued), ids in batch.items():
                    self._apply(ctx, sorted(ids), host, queued)
            finally:
                with self._cond:
                    self._busy = False
                    self._applying_since = None
                    self._cond.notify_all()

    def _apply(self, ctx: RequestContext | None, ids: list[str], host: str | None,
               queued: bool = False) -> None:
        extra: dict[str, Any] = {"host": host} if host else {}
        if queued:
            extra["queued"] = True
        for attempt in (1, 2, 3):
            try:
                self._engine.report_running_actions(ctx or RequestContext(), ids, **extra)
                return
            except exc.DBDeadlockError:
                LOG.info("Heartbeat of %d actions lost a deadlock (attempt %d)", len(ids), attempt)
            except Exception:  # noqa: BLE001 - the heartbeat thread must survive anything
                LOG.exception("Applying a heartbeat of %d actions failed", len(ids))
                return


class ExecutorEndpoint:
    """Receives ``run_action`` and ``cancel_action`` (``EXECUTOR_CALLS``)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    def handle(self, ctx: RequestContext, call: dict) -> dict:
        try:
            typed = serialization.decode(call, EXECUTOR_CALLS)
        except exc.MistralError as e:
            LOG.warning("%s", e)
            return serialization.failure_reply(e)
        if isinstance(typed, RunActionCall):
            def run() -> dict | None:
                result = self._executor.run_action(ctx, typed.request)
                return result.to_dict() if result is not None else None

            with logcontext.bound(ctx):
                return serialization.guarded_call("run_action", run)
        return serialization.guarded_call(
            typed.METHOD, getattr(self._executor, typed.METHOD), ctx, **typed.arguments())


class RPCServer:
    """An oslo.messaging server with a plain start/stop lifecycle."""

    def __init__(
        self, transport: Transport, topic: str, host: str, endpoint: Any,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.topic = topic
        self._on_stop = on_stop
        self.heartbeats: HeartbeatSink | None = None
        self.host = host
        self._server = oslo_messaging.get_rpc_server(
            transport,
            oslo_messaging.Target(topic=topic, server=host),
            [endpoint],
            serializer=serialization.ContextSerializer(),
        )
        if self._server.executor_type != "threading":  # pragma: no cover - eventlet patched
            raise RuntimeError("RPC servers must use the threading executor")
        self._running = False

    def start(self) -> None:
        self._server.start()
        self._running = True
        LOG.info("RPC server listening [topic=%s, host=%s]", self.topic, self.host)

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._server.stop()
        self._server.wait()
        if self._on_stop is not None:
            self._on_stop()
        LOG.info("RPC server stopped [topic=%s, host=%s]", self.topic, self.host)


def make_engine_server(
    transport: Transport, engine: Engine, host: str, topic: str = ENGINE_TOPIC
) -> RPCServer:
    sink = HeartbeatSink(engine)
    server = RPCServer(transport, topic, host, EngineEndpoint(engine, sink), on_stop=sink.stop)
    server.heartbeats = sink
    return server


def make_executor_server(
    transport: Transport, executor: Executor, host: str, topic: str = EXECUTOR_TOPIC
) -> RPCServer:
    return RPCServer(transport, topic, host, ExecutorEndpoint(executor))


class NotifierEndpoint:
    """``--server notifier``: delivers the events engines cast (``NotifierClient``)."""

    def __init__(self, notifier: Any) -> None:
        self._notifier = notifier

    def notify(self, ctx: RequestContext, events: list) -> None:
        from mistral.notifiers.base import Event

        try:
            batch = [Event(str(e["event_type"]), dict(e["data"]),
                           tuple(dict(p) for p in e.get("publishers") or ()))
                     for e in events]
        except (KeyError, TypeError, ValueError) as e:
            LOG.warning("Malformed notification events dropped: %s", e)
            return
        self._notifier.notify(ctx, batch)


def make_notifier_server(transport: Transport, notifier: Any, host: str,
                         topic: str = "mistral_notifier") -> RPCServer:
    return RPCServer(transport, topic, host, NotifierEndpoint(notifier))
