"""The built-in publishers: ``webhook`` (HTTP POST of the event as JSON) and ``noop``."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from mistral.context import RequestContext
from mistral.notifiers.base import Event
from mistral.utils.egress import EgressPolicy

LOG = logging.getLogger(__name__)

#: seconds for connecting to and reading from a webhook
WEBHOOK_TIMEOUT = 10.0


class WebhookPublisher:
    """POST the event's data as JSON to ``url`` with the entry's ``headers``; a non-2xx
    answer is an error (the notifier logs it). The URL must pass the ``[action_std_http]``
    policy ``egress`` (http(s), allowed_hosts, denied_cidrs; default: Mistral's)."""

    def __init__(self, timeout: float = WEBHOOK_TIMEOUT, egress: EgressPolicy | None = None) -> None:
        self.timeout = timeout
        self.egress = egress or EgressPolicy()

    def publish(self, ctx: RequestContext, event: Event, config: Mapping[str, Any]) -> None:
        url = config.get("url")
        if not url:
            raise ValueError("a webhook publisher needs a 'url'")
        headers = {"Content-Type": "application/json", **dict(config.get("headers") or {})}
        resp = self.egress.request("POST", str(url), json=dict(event.data), headers=headers,
                                   timeout=self.timeout)
        resp.raise_for_status()


class NoopPublisher:
    def publish(self, ctx: RequestContext, event: Event, config: Mapping[str, Any]) -> None:
        LOG.debug("noop publisher: %s %s", event.event_type, event.data.get("id"))
