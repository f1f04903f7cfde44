"""RPC clients implementing the ``Engine`` and ``Executor`` Protocols.

Callers cannot tell them from the local implementations: the same methods, the same
typed payloads, the same domain exceptions. A method whose caller needs an answer is a
``call``; notifications (``run_action``, ``report_running_actions``,
``on_action_update``) are ``cast``s.

``on_action_complete`` is a ``call`` too, deliberately: it returns once the engine has
committed the result. oslo.messaging acknowledges a message to the broker *before* the
engine handles it, so a cast result would be lost if the engine were killed meanwhile.
As a call, the executor sees the failure (``ServiceUnavailableError``), keeps the action
in its heartbeats and sends the result again; the engine ignores duplicates.
A call that gets no answer in time, or a broker that cannot be reached, raises
``ServiceUnavailableError``.
"""

from __future__ import annotations

import logging
from typing import Any

import oslo_messaging

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
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


class EngineClient(_Client):
    """The ``Engine`` Protocol over RPC, for the API, executors and other engines."""

    def __init__(self, transport: Transport, topic: str = ENGINE_TOPIC, timeout: float | None = None) -> None:
        super().__init__(transport, topic, timeout)

    def start_workflow(
        self,
        ctx: RequestContext,
        wf_identifier: str,
        wf_namespace: str = "",
        wf_ex_id: str | None = None,
        wf_input: dict | None = None,
        description: str = "",
        params: dict | None = None,
    ) -> dict:
        return self._call(
            ctx, "start_workflow", wf_identifier=wf_identifier, wf_namespace=wf_namespace,
            wf_ex_id=wf_ex_id, wf_input=serialization.to_primitive(wf_input or {}),
            description=description, params=serialization.to_primitive(params or {}),
        )

    def start_action(
        self,
        ctx: RequestContext,
        action_name: str,
        action_input: dict | None = None,
        description: str | None = None,
        namespace: str = "",
        params: dict | None = None,
    ) -> dict:
        return self._call(
            ctx, "start_action", action_name=action_name,
            action_input=serialization.to_primitive(action_input or {}),
            description=description, namespace=namespace,
            params=serialization.to_primitive(params or {}),
        )

    def on_action_complete(
        self, ctx: RequestContext, action_ex_id: str, result: ActionResult, async_: bool = False
    ) -> None:
        self._call(
            ctx, "on_action_complete", action_ex_id=action_ex_id,
            result=serialization.to_primitive(result.to_dict()), async_=async_,
        )

    def on_action_update(self, ctx: RequestContext, action_ex_id: str, state: str) -> None:
        self._cast(ctx, "on_action_update", action_ex_id=action_ex_id, state=state)

    def pause_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        return self._call(ctx, "pause_workflow", wf_ex_id=wf_ex_id)

    def resume_workflow(self, ctx: RequestContext, wf_ex_id: str, env: dict | None = None) -> dict:
        return self._call(ctx, "resume_workflow", wf_ex_id=wf_ex_id, env=serialization.to_primitive(env))

    def stop_workflow(
        self, ctx: RequestContext, wf_ex_id: str, state: str, message: str | None = None
    ) -> dict:
        return self._call(ctx, "stop_workflow", wf_ex_id=wf_ex_id, state=state, message=message)

    def rerun_workflow(
        self,
        ctx: RequestContext,
        task_ex_id: str,
        reset: bool = True,
        skip: bool = False,
        env: dict | None = None,
    ) -> dict:
        return self._call(
            ctx, "rerun_workflow", task_ex_id=task_ex_id, reset=reset, skip=skip,
            env=serialization.to_primitive(env),
        )

    def revert_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        return self._call(ctx, "revert_workflow", wf_ex_id=wf_ex_id)

    def report_running_actions(
        self, ctx: RequestContext, action_ex_ids: list[str], host: str | None = None,
        queued: bool = False,
    ) -> None:
        extra: dict[str, Any] = {"host": host} if host else {}
        if queued:
            extra["queued"] = True
        self._cast(ctx, "report_running_actions", action_ex_ids=list(action_ex_ids), **extra)

    def claim_action(self, ctx: RequestContext, action_ex_id: str, host: str,
                     claim: str) -> bool:
        return bool(self._call(ctx, "claim_action", action_ex_id=action_ex_id, host=host,
                               claim=claim))


class ExecutorClient(_Client):
    """The ``Executor`` Protocol over RPC, for engines.

    ``request.target`` routes to one executor host; otherwise any executor on the topic
    takes it. Sync requests (``request.is_sync``) are calls that return the result;
    the rest are casts and the result comes back through ``Engine.on_action_complete``.
    """

    def __init__(self, transport: Transport, topic: str = EXECUTOR_TOPIC, timeout: float | None = None) -> None:
        super().__init__(transport, topic, timeout)

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        payload = serialization.to_primitive(request.to_dict())
        if request.is_sync:
            timeout = request.timeout + 10 if request.timeout else None
            reply = self._call(ctx, "run_action", server=request.target, timeout=timeout, request=payload)
            return ActionResult.from_dict(reply) if reply is not None else None
        self._cast(ctx, "run_action", server=request.target, request=payload)
        return None

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        """A fanout cast: whichever executor runs (or holds) the action stops it."""
        try:
            self._client.prepare(fanout=True).cast(ctx, "cancel_action", action_ex_id=action_ex_id)
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
