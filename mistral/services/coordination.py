"""Service membership with tooz: who is alive, for ``GET /v2/services``.

Every service process joins the group of its type (``engine_group``, ``executor_group``,
``api_group``, ... — Mistral's names) on ``[coordination] backend_url`` and heartbeats
every ``heartbeat_interval`` seconds; the backend forgets a member whose heartbeats stop
(redis: ``membership_timeout``, file: ``timeout`` URL options). The embedded default is a
file backend under ``state_path``.

A coordination backend that is down never stops a service: joining and heartbeats are
retried in the background and logged; only listing members reports the outage
(``ServiceUnavailableError``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from typing import Any

from tooz import coordination as tooz_coordination

from mistral import exceptions as exc

LOG = logging.getLogger(__name__)

SERVICE_TYPES = ("api", "engine", "executor", "event-engine", "notifier", "periodic")


def group_name(service_type: str) -> str:
    """``engine_group``, ``event_engine_group``, ... (the server name, ``-`` as ``_``)."""
    return f"{service_type.replace('-', '_')}_group"


def default_backend_url(state_path: str, installation: str | None = None) -> str:
    """The embedded default: a file backend in ``<state_path>/coordination``, in a
    directory of its own per ``installation`` (the database URL): processes sharing a
    database see each other, separate installations on one host do not."""
    base = os.path.join(os.path.abspath(state_path), "coordination")
    if installation:
        base = os.path.join(base, hashlib.sha256(installation.encode()).hexdigest()[:16])
    return "file://" + base


def default_member_id(host: str | None = None) -> str:
    return f"{host or socket.gethostname()}_{os.getpid()}"


class ServiceCoordinator:
    """One tooz member for this process, in the groups of the services it runs."""

    def __init__(
        self,
        backend_url: str,
        member_id: str | None = None,
        heartbeat_interval: float = 5.0,
    ) -> None:
        self.backend_url = backend_url
        self.member_id = member_id or default_member_id()
        self.heartbeat_interval = heartbeat_interval
        self._coordinator: Any = None
        self._groups: dict[str, dict] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_active(self) -> bool:
        return self._coordinator is not None

    def start(self, wait: float = 5.0) -> None:
        """Connect and heartbeat in the background; wait up to ``wait`` s for the first connection.

        Some drivers retry a dead backend for a minute (redis: 15 attempts); the service
        starts anyway and the background thread keeps trying.
        """
        self._stop.clear()
        if self._thread is None:
            self._connected = threading.Event()
            self._thread = threading.Thread(target=self._heartbeat_loop, name="mistral-coordination", daemon=True)
            self._thread.start()
        self._connected.wait(wait)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)  # a driver stuck retrying a dead backend is a daemon
            self._thread = None
        with self._lock:
            coord, self._coordinator = self._coordinator, None
            if coord is None:
                return
            for service_type in list(self._groups):
                try:
                    coord.leave_group(group_name(service_type).encode()).get()
                except Exception as e:  # noqa: BLE001 - leaving is best effort
                    LOG.debug("Leaving %s failed: %s", service_type, e)
            try:
                coord.stop()
            except Exception as e:  # noqa: BLE001
                LOG.debug("Stopping the coordinator failed: %s", e)

    def join(self, service_type: str, capabilities: dict | None = None) -> None:
        """Be listed as a live member of ``service_type`` (kept after reconnects)."""
        caps = {"host": socket.gethostname(), "pid": os.getpid(), **(capabilities or {})}
        with self._lock:
            self._groups[service_type] = caps
            if self._coordinator is not None:
                self._join_one(self._coordinator, service_type, caps)

    def members(self, service_type: str) -> list[str]:
        """Live member ids of ``service_type``, sorted."""
        with self._lock:
            coord = self._coordinator
        if coord is None:
            raise exc.ServiceUnavailableError(
                f"The coordination backend is not connected ({self._safe_url()})"
            )
        try:
            found = coord.get_members(group_name(service_type).encode()).get()
        except tooz_coordination.GroupNotCreated:
            return []
        except tooz_coordination.ToozError as e:
            raise exc.ServiceUnavailableError(f"Coordination backend error: {e}") from None
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in found)

    def list_services(self, service_types: tuple[str, ...] = SERVICE_TYPES) -> list[dict]:
        """Every live member as Mistral's services endpoint shows it: ``{name, type}``."""
        return [
            {"name": member, "type": group_name(t)}
            for t in service_types
            for member in self.members(t)
        ]

    # -- internals ---------------------------------------------------------------------

    def _safe_url(self) -> str:
        scheme, sep, rest = self.backend_url.partition("://")
        return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else self.backend_url

    def _connect(self) -> None:
        """Connect and join; only the background thread calls this (no lock held while
        a driver retries a dead backend, so ``join``/``members`` never block on it)."""
        if self._coordinator is not None:
            return
        try:
            coord = tooz_coordination.get_coordinator(self.backend_url, self.member_id.encode())
            coord.start(start_heart=False)
        except Exception as e:  # noqa: BLE001 - tooz drivers raise driver errors too
            LOG.warning("Coordination backend %s unavailable: %s", self._safe_url(), e)
            return
        with self._lock:
            try:
                for service_type, caps in self._groups.items():
                    self._join_one(coord, service_type, caps)
            except Exception as e:  # noqa: BLE001
                LOG.warning("Cannot join groups on %s: %s", self._safe_url(), e)
                coord.stop()
                return
            if self._stop.is_set():  # stopped while we were connecting
                coord.stop()
                return
            self._coordinator = coord
            self._connected.set()
        LOG.info("Joined coordination backend %s as %s", self._safe_url(), self.member_id)

    def _join_one(self, coord: Any, service_type: str, caps: dict) -> None:
        group = group_name(service_type).encode()
        try:
            coord.create_group(group).get()
        except tooz_coordination.GroupAlreadyExist:
            pass
        try:
            coord.join_group(group, capabilities=caps).get()
        except tooz_coordination.MemberAlreadyExist:
            pass

    def _heartbeat_loop(self) -> None:
        self._connect()
        while not self._stop.wait(self.heartbeat_interval):
            with self._lock:
                coord = self._coordinator
            if coord is None:
                self._connect()
                continue
            try:
                coord.heartbeat()
                self._rejoin_if_forgotten(coord)
            except Exception as e:  # noqa: BLE001 - reconnect on any driver failure
                LOG.warning("Coordination heartbeat failed, reconnecting: %s", e)
                with self._lock:
                    self._coordinator = None
                try:
                    coord.stop()
                except Exception:  # noqa: BLE001
                    pass
                self._connect()

    def _rejoin_if_forgotten(self, coord: Any) -> None:
        """After a long pause the backend may have expired us: join again."""
        with self._lock:
            groups = dict(self._groups)
        for service_type, caps in groups.items():
            try:
                found = coord.get_members(group_name(service_type).encode()).get()
            except tooz_coordination.GroupNotCreated:
                found = set()
            names = {m.decode() if isinstance(m, bytes) else str(m) for m in found}
            if self.member_id not in names:
                LOG.info("Rejoining %s as %s", group_name(service_type), self.member_id)
                self._join_one(coord, service_type, caps)
