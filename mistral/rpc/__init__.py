"""oslo.messaging transport, clients and servers: the only package that knows the broker."""

from __future__ import annotations

from mistral.rpc.clients import ENGINE_TOPIC, EXECUTOR_TOPIC, EngineClient, ExecutorClient
from mistral.rpc.servers import RPCServer, make_engine_server, make_executor_server
from mistral.rpc.transport import Transport, cleanup, get_transport, limit_server_threads

__all__ = [
    "ENGINE_TOPIC",
    "EXECUTOR_TOPIC",
    "EngineClient",
    "ExecutorClient",
    "RPCServer",
    "Transport",
    "cleanup",
    "get_transport",
    "limit_server_threads",
    "make_engine_server",
    "make_executor_server",
]
