"""``LocalNotifier``: delivers events from a bounded pool of threads in this process.

The engine hands events over after its commit and returns at once. Each worker has
its own bounded queue and an execution's events always go to the same worker (by root
execution), so one execution's events arrive in order. When a queue is full an event
is dropped with a warning instead of blocking the engine. Every delivery that fails (unknown publisher type, HTTP error, timeout) is
logged and never reaches a workflow.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Mapping, Sequence

from stevedore import ExtensionManager

from mistral.context import RequestContext
from mistral.notifiers.base import Event, Publisher
from mistral.notifiers.publishers import NoopPublisher, WebhookPublisher
from mistral.utils.egress import EgressPolicy

LOG = logging.getLogger(__name__)
GROUP = "mistral.notification.publishers"
_STOP = object()


def load_publishers(egress: EgressPolicy | None = None) -> dict[str, Publisher]:
    """Publishers by type from entry points (the built-ins if none are installed); the
    webhook publisher sends under the ``[action_std_http]`` policy ``egress``."""
    found: dict[str, Publisher] = {"webhook": WebhookPublisher(egress=egress), "noop": NoopPublisher()}
    mgr = ExtensionManager(GROUP, invoke_on_load=True,
                           on_load_failure_callback=_load_failed)
    for ext in mgr:
        if ext.obj is not None and (
                ext.name != "webhook" or not isinstance(ext.obj, WebhookPublisher)):
            found[ext.name] = ext.obj
    return found


def _load_failed(manager: Any, entrypoint: Any, exception: BaseException) -> None:
    LOG.error("Notification publisher %s failed to load: %s", entrypoint, exception)


class LocalNotifier:
    def __init__(self, publishers: Mapping[str, Publisher] | None = None,
                 max_workers: int = 4, queue_size: int = 10_000) -> None:
        self.publishers = dict(publishers if publishers is not None else load_publishers())
        n = max(int(max_workers), 1)
        self._queues: list[queue.Queue[Any]] = [
            queue.Queue(maxsize=max(queue_size // n, 1)) for _ in range(n)]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.dropped = 0

    def start(self) -> None:
        with self._lock:
            if self._threads:
                return
            for i, q in enumerate(self._queues):
                t = threading.Thread(target=self._run, args=(q,), name=f"notifier-{i}",
                                     daemon=True)
                t.start()
                self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        if not threads:
            return
        for q in self._queues:
            q.put(_STOP)
        for t in threads:
            t.join(timeout)

    def join(self) -> None:
        """Wait until every queued delivery was attempted (tests, shutdown)."""
        for q in self._queues:
            q.join()

    def notify(self, ctx: RequestContext, events: Sequence[Event]) -> None:
        self.start()
        for event in events:
            data = event.data
            key = str(data.get("root_execution_id") or data.get("workflow_execution_id")
                      or data.get("id"))
            q = self._queues[hash(key) % len(self._queues)]
            for config in event.publishers:
                if not event.wants(config):
                    continue
                try:
                    q.put_nowait((ctx, event, config))
                except queue.Full:
                    self.dropped += 1
                    LOG.warning("Notification queue full: %s for %s dropped",
                                event.event_type, event.data.get("id"))

    def _run(self, q: queue.Queue[Any]) -> None:
        while True:
            item = q.get()
            try:
                if item is _STOP:
                    return
                self._deliver(*item)
            finally:
                q.task_done()

    def _deliver(self, ctx: RequestContext, event: Event, config: Mapping[str, Any]) -> None:
        kind = str(config.get("type") or "")
        publisher = self.publishers.get(kind)
        if publisher is None:
            LOG.error("Unknown notification publisher type %r; %s for %s not sent",
                      kind, event.event_type, event.data.get("id"))
            return
        try:
            publisher.publish(ctx, event, config)
        except Exception as e:  # noqa: BLE001 - a failing publisher never fails a workflow
            LOG.warning("Publisher %s failed to send %s for %s: %s", kind,
                        event.event_type, event.data.get("id"), e)
