"""The event engine: notifications on the message bus start the workflows of event triggers.

Triggers are rows in ``event_triggers_v2`` (written by the API). Every
``refresh_interval`` seconds the engine reads which (exchange, topic) pairs they name
and keeps exactly one notification listener per pair — a trigger created or deleted
through any API takes effect without a restart. Listeners of all event engines share
the pool ``mistral-<exchange>-<[event_engine] listener_pool_name>``: each notification
is delivered to one of them.

A notification whose ``event_type`` is a trigger's ``event`` fires the triggers of the
notification's project (``ctxt["project_id"]``) and the public ones, as Mistral does:
the workflow starts through the engine as the trigger's creator (through its Keystone
trust with a fresh token when it has one, ``mistral.services.trusts.firing_context``), the
trigger's ``workflow_input`` as input and ``params = workflow_params + {"event_params":
...}``, where ``event_params`` is the notification converted by the event definitions
(``[event_engine] event_definitions_cfg_file``; by default ``service``, ``project_id``,
``user_id``, ``timestamp``). The execution id is derived from the trigger and the
notification's ``message_id``, so a redelivered notification starts nothing new:
exactly one execution per notification and trigger. Triggers are re-read for every
notification, so a deleted one never fires. A notification that matches nothing or
is malformed is logged and dropped.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from mistral import exceptions as exc
from mistral.context import admin_context
from mistral.engine.interface import Engine
from mistral.services.cron_triggers import trigger_description
from mistral.services.trusts import KeystoneTrusts, firing_context

LOG = logging.getLogger(__name__)

_ID_NAMESPACE = uuid.UUID("5b0f3c2e-6f1d-4d47-9a0e-2f7c8e3d9b41")


def execution_id(trigger_id: str, message_id: str) -> str:
    """The execution a trigger starts for one notification: the same every time."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{trigger_id}:{message_id}"))


class EventDefinitions:
    """``event_definitions_cfg_file``: ``[{event_types: [glob...], properties: {...}}]``;
    the last definition whose glob matches converts the event (expressions over
    ``{event_type, payload, publisher, timestamp, context}``)."""

    def __init__(self, definitions: list[tuple[tuple[str, ...], Any]] | None = None) -> None:
        self.definitions = list(reversed(definitions or []))

    @classmethod
    def load(cls, path: str | None) -> "EventDefinitions":
        import yaml

        if not path or not os.path.exists(path):
            return cls()
        try:
            with open(path, encoding="utf-8") as f:
                raw = yaml.safe_load(f) or []
        except (OSError, yaml.YAMLError) as e:
            raise exc.ConfigError(f"[event_engine] event_definitions_cfg_file {path}: {e}") from None
        if not isinstance(raw, list):
            raise exc.ConfigError(f"[event_engine] event_definitions_cfg_file {path}: "
                                  "expected a list of {event_types, properties}")
        out: list[tuple[tuple[str, ...], Any]] = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or "event_types" not in item or "properties" not in item:
                raise exc.ConfigError(f"[event_engine] event_definitions_cfg_file {path}: item {i} "
                                      "needs event_types and properties")
            types = item["event_types"]
            out.append(((types,) if isinstance(types, str) else tuple(map(str, types)),
                        item["properties"]))
        return cls(out)

    def convert(self, event: dict) -> Any:
        from mistral.expressions import evaluate_recursively

        for types, properties in self.definitions:
            if any(fnmatch.fnmatch(event["event_type"], t) for t in types):
                return evaluate_recursively(properties, event)
        ctxt = event["context"]
        return {"service": event["publisher"], "project_id": ctxt.get("project_id"),
                "user_id": ctxt.get("user_id"), "timestamp": event["timestamp"]}


class EventEngine:
    """Listens for the notifications event triggers name and starts their workflows."""

    def __init__(
        self,
        db: Any,
        engine: Engine,
        listen: Callable[[str, str, Callable[[Any], None]], Any],
        definitions: EventDefinitions | None = None,
        refresh_interval: float = 2.0,
        trusts: KeystoneTrusts | None = None,
    ) -> None:
        self._db = db
        self._trusts = trusts
        self._engine = engine
        self._listen = listen
        self.definitions = definitions or EventDefinitions()
        self.refresh_interval = refresh_interval
        self._listeners: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def targets(self) -> set[tuple[str, str]]:
        """The (exchange, topic) pairs listened on now."""
        return set(self._listeners)

    def start(self) -> None:
        self.refresh()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mistral-event-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        with self._lock:
            listeners, self._listeners = list(self._listeners.values()), {}
        for listener in listeners:
            _quietly(listener.stop)

    def _loop(self) -> None:
        while not self._stop.wait(self.refresh_interval):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a database outage must not end the loop
                LOG.exception("Event engine: reading the event triggers failed")

    def refresh(self) -> None:
        """One listener per (exchange, topic) some trigger names, none for the others."""
        with self._db.transaction(admin_context(), readonly=True) as tx:
            wanted = {(t.exchange, t.topic) for t in tx.event_triggers.list(fields=("exchange", "topic"))}
        with self._lock:
            gone = [self._listeners.pop(k) for k in set(self._listeners) - wanted]
            new = sorted(wanted - set(self._listeners))
        for listener in gone:
            _quietly(listener.stop)
            LOG.info("Event engine: stopped listening on exchange=%s topic=%s",
                     listener.exchange, listener.topic)
        for exchange, topic in new:
            if self._stop.is_set():
                return
            listener = self._listen(exchange, topic, self.on_notification)
            with self._lock:
                self._listeners[(exchange, topic)] = listener
            LOG.info("Event engine: listening on exchange=%s topic=%s", exchange, topic)

    # -- one notification --------------------------------------------------------------

    def on_notification(self, n: Any) -> list[str]:
        """Start the workflows of the triggers ``n`` fires; their execution ids."""
        event_type, ctxt, metadata = n.event_type, n.ctxt, n.metadata
        if not isinstance(event_type, str) or not isinstance(ctxt, Mapping) or not isinstance(metadata, Mapping):
            LOG.warning("Event engine: malformed notification on exchange=%s topic=%s ignored "
                        "[event_type=%.200r]", n.exchange, n.topic, event_type)
            return []
        project = ctxt.get("project_id")
        with self._db.transaction(admin_context(), readonly=True) as tx:
            triggers = [t for t in tx.event_triggers.list(
                filters={"exchange": n.exchange, "topic": n.topic, "event": event_type})
                if t.project_id == project or t.scope == "public"]
            namespaces = {t.workflow_id: self._namespace(tx, t.workflow_id) for t in triggers}
            triggers = [(t.id, t.name, {"project_id": t.project_id, "trust_id": t.trust_id,
                                        "auth_context": t.auth_context},
                         t.workflow_id, dict(t.workflow_input or {}),
                         dict(t.workflow_params or {})) for t in triggers]
        if not triggers:
            LOG.info("Event engine: notification ignored, no event trigger matches "
                     "[exchange=%s, topic=%s, event_type=%s, project_id=%s]",
                     n.exchange, n.topic, event_type, project)
            return []
        event = {"event_type": event_type, "payload": n.payload, "publisher": n.publisher_id,
                 "timestamp": metadata.get("timestamp", ctxt.get("timestamp")), "context": dict(ctxt)}
        try:
            event_params = self.definitions.convert(event)
        except exc.MistralError as e:
            LOG.warning("Event engine: notification %s ignored: its event definition failed: %s",
                        metadata.get("message_id"), e)
            return []
        message_id = str(metadata.get("message_id") or uuid.uuid4())
        started = []
        for trigger_id, name, owner, wf_id, wf_input, wf_params in triggers:
            ex_id = self._fire(trigger_id, name, owner, wf_id, namespaces[wf_id], wf_input,
                               {**wf_params, "event_params": event_params}, message_id)
            if ex_id:
                started.append(ex_id)
        return started

    @staticmethod
    def _namespace(tx: Any, workflow_id: str) -> str:
        try:
            return tx.workflow_definitions.get(workflow_id, fields=("namespace",)).namespace or ""
        except exc.NotFoundError:
            return ""

    def _fire(self, trigger_id: str, name: str, owner: dict, wf_id: str, namespace: str,
              wf_input: dict, params: dict, message_id: str) -> str | None:
        description = trigger_description("event", trigger_id, name)
        ex_id = execution_id(trigger_id, message_id)
        try:
            for attempt in range(1, 4):  # the id makes a repeated start harmless
                try:
                    # the trigger's creator (through its trust), never admin
                    ctx = firing_context(self._trusts, owner)
                    self._engine.start_workflow(ctx, wf_id, namespace, wf_ex_id=ex_id,
                                                wf_input=wf_input, description=description,
                                                params=params, trigger_id=trigger_id)
                    break
                except (exc.ServiceUnavailableError, exc.DBError):
                    if attempt == 3:
                        raise
                    self._stop.wait(attempt)
        except exc.MistralError as e:
            LOG.warning("Event engine: event trigger %s could not start its workflow for "
                        "notification %s: %s: %s", trigger_id, message_id, type(e).__name__, e)
            return None
        LOG.info("Event engine: event trigger %s fired by notification %s: execution %s",
                 trigger_id, message_id, ex_id)
        return ex_id


def _quietly(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - stopping one listener must not stop the others
        LOG.exception("Event engine: stopping a listener failed")
