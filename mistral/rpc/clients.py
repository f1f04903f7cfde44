"""RPC clients implementing the ``Engine`` and ``Executor`` Protocols.

Callers cannot tell them from the local implementations: the same methods, the same
typed payloads, the same domain exceptions. Every method sends its typed call
(``mistral.engine.interface.Call``, encoded by ``serialization.encode``) to the server's
one ``handle`` endpoint. A method whose caller needs an answer is a ``call``;
notifications (``run_action``, ``report_running_actions``, ``on_action_update``,
``cancel_action``) are ``cast``s.

``on_action_complete`` is a ``call`` too, deliberately: it returns once the engine has
committed the result. oslo.messaging acknowledges a message to the broker *before* the
engine handles it, so a cast result would be lost if the engine were killed meanwhile.
As a call, the executor sees the failure (``ServiceUnavailableError``), keeps the action
in its heartbeats and sends the result again; the engine ignores duplicates.
A call that gets no answer in time, or a broker that cannot be reached, raises
``ServiceUnavailableError``.
"""

from __future__ import annotations

import inspect
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import oslo_messaging

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.engine.interface import (
    ENGINE_CALLS, ActionResult, CancelActionCall, Call, RunActionCall, RunActionRequest,
)
from mistral.rpc import serialization
from mistral.rpc.transport import Transport

LOG = logging.getLogger(__name__)

ENGINE_TOPIC = "mistral_engine"
EXECUTOR_TOPIC = "mistral_executor"


class _Client:
    def __init__(self, transport: Transport, topic: str, timeout: float | None = None) -> None:
        self._topic = topic
        self._client = oslo_messaging.get_rpc_client(
            transport,
            oslo_messaging.Target(topic=topic),
            serializer=serialization.ContextSerializer(),
            timeout=timeout,
        )

    def _call(
        self, ctx: RequestContext, method: str, *, server: str | None = None,
        timeout: float | None = None, **kwargs: Any,
    ) -> Any:
        prepared = self._prepare(server, timeout)
        try:
            reply = prepared.call(ctx, method, **kwargs)
        except oslo_messaging.MessagingTimeout:
            raise exc.ServiceUnavailableError(
                f"No answer from {self._topic} to {method!r} in time"
            ) from None
        except oslo_messaging.MessageDeliveryFailure as e:
            raise exc.ServiceUnavailableError(f"Could not send {method!r} to {self._topic}: {e}") from None
        return serialization.unwrap_reply(reply)

    def _cast(self, ctx: RequestContext, method: str, *, server: str | None = None, **kwargs: Any) -> None:
        try:
            self._prepare(server, None).cast(ctx, method, **kwargs)
        except oslo_messaging.MessageDeliveryFailure as e:
            raise exc.ServiceUnavailableError(f"Could not send {method!r} to {self._topic}: {e}") from None

    def _prepare(self, server: str | None, timeout: float | None) -> Any:
        opts: dict[str, Any] = {}
        if server:
            opts["server"] = server
        if timeout is not None:
            opts["timeout"] = timeout
        return self._client.prepare(**opts) if opts else self._client


def _remote(call_cls: type[Call]) -> Callable[..., Any]:
    """The Protocol method ``call_cls.METHOD``: its arguments become the typed call."""
    def method(self: Any, ctx: RequestContext, *args: Any, **kwargs: Any) -> Any:
        return self._send(ctx, call_cls(*args, **kwargs))

    params = list(inspect.signature(call_cls).parameters.values())
    ctx_param = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = inspect.Signature([self_param, ctx_param, *params])  # type: ignore[attr-defined]
    method.__name__ = method.__qualname__ = call_cls.METHOD
    method.__doc__ = f"``{call_cls.METHOD}`` over RPC ({'cast' if call_cls.CAST else 'call'})."
    return method


class EngineClient(_Client):
    """The ``Engine`` Protocol over RPC, for the API, executors and other engines: one
    method per ``ENGINE_CALLS`` entry, each sending its typed call (a cast when the
    call is ``CAST``)."""

    def __init__(self, transport: Transport, topic: str = ENGINE_TOPIC, timeout: float | None = None) -> None:
        super().__init__(transport, topic, timeout)

    def _send(self, ctx: RequestContext, call: Call) -> Any:
        payload = serialization.encode(call)
        if call.CAST:
            self._cast(ctx, "handle", call=payload)
            return None
        return self._call(ctx, "handle", call=payload)


for _call_cls in ENGINE_CALLS:
    setattr(EngineClient, _call_cls.METHOD, _remote(_call_cls))


class ExecutorClient(_Client):
    """The ``Executor`` Protocol over RPC, for engines.

    ``request.target`` routes to one executor host; otherwise any executor on the topic
    takes it. Sync requests (``request.is_sync``) are calls that return the result;
    the rest are casts and the result comes back through ``Engine.on_action_complete``.

    Casts are handed to ``senders`` threads (0: sent by the caller): an engine sends
    after its commit, and a broker takes milliseconds per message, so the event's thread
    (an API call, an executor's result) does not wait for a thousand with-items sends.
    A cast lost with the process is repaired by the reconciler like any unsent message.
    ``close()`` sends what is queued (the composition root calls it at stop).
    """

    def __init__(self, transport: Transport, topic: str = EXECUTOR_TOPIC,
                 timeout: float | None = None, senders: int = 4) -> None:
        super().__init__(transport, topic, timeout)
        self._senders = max(0, int(senders))
        self._outbox: queue.Queue[tuple[RequestContext, str | None, dict] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        payload = serialization.encode(RunActionCall(request))
        if request.is_sync:
            timeout = request.timeout + 10 if request.timeout else None
            reply = self._call(ctx, "handle", server=request.target, timeout=timeout, call=payload)
            return ActionResult.from_dict(reply) if reply is not None else None
        if not self._senders:
            self._cast(ctx, "handle", server=request.target, call=payload)
            return None
        self._start_senders()
        self._outbox.put((ctx, request.target, payload))
        return None

    def _start_senders(self) -> None:
        if len(self._threads) >= self._senders:
            return
        with self._lock:
            while len(self._threads) < self._senders:
                t = threading.Thread(target=self._send_loop, daemon=True,
                                     name=f"mistral-executor-casts-{len(self._threads)}")
                t.start()
                self._threads.append(t)

    def _send_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            ctx, target, payload = item
            try:
                self._cast(ctx, "handle", server=target, call=payload)
            except Exception as e:  # noqa: BLE001 - the reconciler re-sends what was lost
                LOG.warning("Cannot send an action to %s: %s", self._topic, e)

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (for up to ``timeout`` seconds), then stop the senders."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._outbox.put(None)
        for t in threads:
            t.join(timeout)

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        """A fanout cast: whichever executor runs (or holds) the action stops it."""
        payload = serialization.encode(CancelActionCall(action_ex_id))
        try:
            self._client.prepare(fanout=True).cast(ctx, "handle", call=payload)
        except oslo_messaging.MessageDeliveryFailure as e:
            raise exc.ServiceUnavailableError(f"Could not send 'cancel_action': {e}") from None


NOTIFIER_TOPIC = "mistral_notifier"


class NotifierClient(_Client):
    """The ``Notifier`` Protocol over RPC (``[notifier] type = remote``): events are cast
    to the ``--server notifier`` processes on ``[notifier] topic``; one of them delivers
    each batch. Never raises into the engine: a broker that cannot be reached is logged."""

    def __init__(self, transport: Transport, topic: str = NOTIFIER_TOPIC) -> None:
        super().__init__(transport, topic)

    def notify(self, ctx: RequestContext, events: Any) -> None:
        payload = [{"event_type": e.event_type, "data": dict(e.data),
                    "publishers": [dict(p) for p in e.publishers]} for e in events]
        try:
            self._cast(ctx, "notify", events=payload)
        except Exception as e:  # noqa: BLE001 - a notification never fails a workflow
            LOG.warning("Cannot send %d notification event(s) to %s: %s", len(payload), self._topic, e)
