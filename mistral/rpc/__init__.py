"""oslo.messaging transport, clients and servers: the only package that knows the broker."""

from __future__ import annotations

from mistral.rpc.clients import (
    ENGINE_TOPIC, EXECUTOR_TOPIC, NOTIFIER_TOPIC, EngineClient, ExecutorClient, NotifierClient,
)
from mistral.rpc.servers import RPCServer, make_engine_server, make_executor_server, make_notifier_server
from mistral.rpc.transport import (
    Transport, cleanup, get_transport, limit_prefetch, limit_server_threads,
)

__all__ = [
    "ENGINE_TOPIC",
    "EXECUTOR_TOPIC",
    "EngineClient",
    "NOTIFIER_TOPIC",
    "NotifierClient",
    "ExecutorClient",
    "RPCServer",
    "Transport",
    "cleanup",
    "get_transport",
    "limit_prefetch",
    "limit_server_threads",
    "make_engine_server",
    "make_executor_server",
    "make_notifier_server",
]
