"""oslo.messaging notification listeners (what the event engine hears) and notifiers.

``make_notification_listener(transport, exchange, topic, handler, pool)`` listens on one
(exchange, topic) for every priority; each notification reaches
``handler(Notification)`` once per ``pool`` (listeners sharing a pool share the
messages, as Mistral's event engines do). The handler's errors are logged and the
message is acknowledged: a bad notification is never redelivered forever and never
stops the listener.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import oslo_messaging
from oslo_config import cfg

from mistral import exceptions as exc
from mistral.rpc.transport import DEFAULT_CONTROL_EXCHANGE, _register_tracing_opts

LOG = logging.getLogger(__name__)

PRIORITIES = ("audit", "critical", "debug", "error", "info", "sample", "warn")


@dataclass(frozen=True)
class Notification:
    exchange: str
    topic: str
    priority: str
    ctxt: Any
    publisher_id: Any
    event_type: Any
    payload: Any
    metadata: Any


def get_notification_transport(url: str, conf: cfg.ConfigOpts | None = None) -> Any:
    """A notification transport for ``url`` (``ConfigError`` naming a bad URL)."""
    if conf is None:
        conf = cfg.ConfigOpts()
        oslo_messaging.set_transport_defaults(DEFAULT_CONTROL_EXCHANGE)
    _register_tracing_opts(conf)
    try:
        return oslo_messaging.get_notification_transport(conf, url=url)
    except (oslo_messaging.InvalidTransportURL, oslo_messaging.DriverLoadFailure) as e:
        raise exc.ConfigError(f"Bad transport_url {url!r}: {e}") from None


class _Endpoint:
    def __init__(self, exchange: str, topic: str, handler: Callable[[Notification], None]) -> None:
        self._exchange, self._topic, self._handler = exchange, topic, handler
        for priority in PRIORITIES:
            setattr(self, priority, self._bind(priority))

    def _bind(self, priority: str) -> Callable[..., Any]:
        def handle(ctxt: Any, publisher_id: Any, event_type: Any, payload: Any, metadata: Any) -> Any:
            try:
                self._handler(Notification(self._exchange, self._topic, priority, ctxt,
                                           publisher_id, event_type, payload, metadata))
            except Exception:  # noqa: BLE001 - never crash the listener, never requeue
                LOG.exception("Notification on exchange=%s topic=%s [event_type=%.200r] "
                              "could not be handled; dropped", self._exchange, self._topic,
                              event_type)
            return oslo_messaging.NotificationResult.HANDLED

        return handle


class NotificationListener:
    """One started oslo.messaging notification listener; ``stop()`` waits for it."""

    def __init__(self, listener: Any, exchange: str, topic: str) -> None:
        self._listener = listener
        self.exchange, self.topic = exchange, topic

    def stop(self) -> None:
        self._listener.stop()
        self._listener.wait()


def make_notification_listener(
    transport: Any,
    exchange: str,
    topic: str,
    handler: Callable[[Notification], None],
    pool: str | None = None,
) -> NotificationListener:
    target = oslo_messaging.Target(exchange=exchange, topic=topic)
    listener = oslo_messaging.get_notification_listener(
        transport, [target], [_Endpoint(exchange, topic, handler)], executor="threading",
        allow_requeue=False, pool=pool,
    )
    listener.start()
    return NotificationListener(listener, exchange, topic)
