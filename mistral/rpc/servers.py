"""RPC servers: thin endpoints that decode payloads and delegate to a local Engine/Executor.

Servers use oslo.messaging's threading executor (never eventlet). Every endpoint method
answers with a value (see ``serialization``): exceptions never cross the wire as
tracebacks. For casts nobody reads the reply, so failures are only logged.
"""

from __future__ import annotations

import logging
from typing import Any

import oslo_messaging

from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, Engine, Executor, RunActionRequest
from mistral.rpc import serialization
from mistral.rpc.clients import ENGINE_TOPIC, EXECUTOR_TOPIC
from mistral.rpc.transport import Transport

LOG = logging.getLogger(__name__)


class EngineEndpoint:
    """Receives engine calls and casts; public methods are the wire API."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start_workflow(
        self, ctx: RequestContext, wf_identifier: str, wf_namespace: str = "",
        wf_ex_id: str | None = None, wf_input: dict | None = None, description: str = "",
        params: dict | None = None,
    ) -> dict:
        return serialization.guarded_call(
            "start_workflow", self._engine.start_workflow, ctx, wf_identifier, wf_namespace,
            wf_ex_id, wf_input, description, params,
        )

    def start_action(
        self, ctx: RequestContext, action_name: str, action_input: dict | None = None,
        description: str | None = None, namespace: str = "", params: dict | None = None,
    ) -> dict:
        return serialization.guarded_call(
            "start_action", self._engine.start_action, ctx, action_name, action_input,
            description, namespace, params,
        )

    def on_action_complete(
        self, ctx: RequestContext, action_ex_id: str, result: dict, async_: bool = False
    ) -> dict:
        return serialization.guarded_call(
            "on_action_complete", self._engine.on_action_complete, ctx, action_ex_id,
            ActionResult.from_dict(result or {}), async_,
        )

    def on_action_update(self, ctx: RequestContext, action_ex_id: str, state: str) -> dict:
        return serialization.guarded_call(
            "on_action_update", self._engine.on_action_update, ctx, action_ex_id, state
        )

    def pause_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        return serialization.guarded_call("pause_workflow", self._engine.pause_workflow, ctx, wf_ex_id)

    def resume_workflow(self, ctx: RequestContext, wf_ex_id: str, env: dict | None = None) -> dict:
        return serialization.guarded_call(
            "resume_workflow", self._engine.resume_workflow, ctx, wf_ex_id, env
        )

    def stop_workflow(
        self, ctx: RequestContext, wf_ex_id: str, state: str, message: str | None = None
    ) -> dict:
        return serialization.guarded_call(
            "stop_workflow", self._engine.stop_workflow, ctx, wf_ex_id, state, message
        )

    def rerun_workflow(
        self, ctx: RequestContext, task_ex_id: str, reset: bool = True, skip: bool = False,
        env: dict | None = None,
    ) -> dict:
        return serialization.guarded_call(
            "rerun_workflow", self._engine.rerun_workflow, ctx, task_ex_id, reset, skip, env
        )

    def report_running_actions(self, ctx: RequestContext, action_ex_ids: list[str]) -> dict:
        return serialization.guarded_call(
            "report_running_actions", self._engine.report_running_actions, ctx, list(action_ex_ids)
        )


class ExecutorEndpoint:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    def run_action(self, ctx: RequestContext, request: dict) -> dict:
        def run() -> dict | None:
            result = self._executor.run_action(ctx, RunActionRequest.from_dict(request))
            return result.to_dict() if result is not None else None

        return serialization.guarded_call("run_action", run)


class RPCServer:
    """An oslo.messaging server with a plain start/stop lifecycle."""

    def __init__(self, transport: Transport, topic: str, host: str, endpoint: Any) -> None:
        self.topic = topic
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
        LOG.info("RPC server stopped [topic=%s, host=%s]", self.topic, self.host)


def make_engine_server(
    transport: Transport, engine: Engine, host: str, topic: str = ENGINE_TOPIC
) -> RPCServer:
    return RPCServer(transport, topic, host, EngineEndpoint(engine))


def make_executor_server(
    transport: Transport, executor: Executor, host: str, topic: str = EXECUTOR_TOPIC
) -> RPCServer:
    return RPCServer(transport, topic, host, ExecutorEndpoint(executor))
