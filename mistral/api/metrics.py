"""Prometheus metrics (``[metrics] enabled``), served at ``/metrics``.

``ServiceMetrics`` is one ``prometheus_client`` registry per process; the composition
root adds what the process runs:

* ``add_database(db)`` (API and engine processes; every instance reads the same shared
  database, so scrape one of them for the cluster-wide figures):
  ``mistral_workflow_executions{state}`` and ``mistral_task_executions{state}`` (rows by
  state), ``mistral_scheduled_jobs_due`` (durable timers due and not yet run: the
  scheduler's queue depth) and ``mistral_task_duration_seconds`` (a histogram of
  ``finished_at - started_at`` of the tasks that finished since this process started,
  read incrementally at each scrape).
* ``add_engine(engine, heartbeats)``: ``mistral_reconciler_repairs_total`` (repairs made by
  this engine's reconciler), ``mistral_engine_heartbeat_lag_seconds`` (how far this
  engine is behind on executor heartbeats, as its reconciler allows for) and
  ``mistral_engine_heartbeats_pending`` (reported action ids waiting to be applied).
* ``add_executor(executor)``: ``mistral_executor_actions`` (actions accepted by this
  executor, queued or running: its queue depth).
* the API itself: ``mistral_api_requests_total{method,status}`` and
  ``mistral_api_request_duration_seconds``.

A process with the API serves them on the API's port at ``/metrics`` (outside
authentication, like ``/healthcheck``; keep the port off the public network or filter
the path in front). A process without the API listens on ``[metrics] host:port``.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LOG = logging.getLogger(__name__)

PATH = "/metrics"
WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, float("inf"))
#: at most this many finished tasks are read per scrape (the rest at the next one)
DURATION_BATCH = 5000


class _DatabaseCollector:
    """Counts rows at scrape time, in one read-only transaction as the admin."""

    def __init__(self, db: Any, durations: Histogram, clock: Callable[[], datetime.datetime]) -> None:
        self._db = db
        self._durations = durations
        self._clock = clock
        self._since = clock()
        self._lock = threading.Lock()

    def describe(self) -> list:
        return []  # collected lazily: no database query at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from mistral.db.filters import Filter


        wf = GaugeMetricFamily("mistral_workflow_executions", "Workflow executions by state",
                               labels=["state"])
        tasks = GaugeMetricFamily("mistral_task_executions", "Task executions by state",
                                  labels=["state"])
        due = GaugeMetricFamily("mistral_scheduled_jobs_due",
                                "Durable timers due and not run yet (the scheduler's queue depth)")
        try:
            with self._lock, self._db.transaction(None, readonly=True) as tx:
                for state in _WORKFLOW_STATES:
                    wf.add_metric([state], tx.workflow_executions.count(state=state))
                for state in _TASK_STATES:
                    tasks.add_metric([state], tx.task_executions.count(state=state))
                due.add_metric([], tx.scheduled_jobs.count(run_at=Filter("lte", self._clock())))
                rows = tx.task_executions.list(
                    filters={"finished_at": Filter("gt", self._since)},
                    sort_keys=("finished_at",), limit=DURATION_BATCH,
                    fields=("id", "started_at", "finished_at"),
                )
                for row in rows:
                    if row.started_at is not None and row.finished_at is not None:
                        took = (row.finished_at - row.started_at).total_seconds()
                        self._durations.observe(max(took, 0.0))
                if rows:
                    self._since = rows[-1].finished_at
        except Exception as e:  # noqa: BLE001 - a scrape never fails the process
            LOG.warning("metrics: reading the database failed: %s", e)
            return
        yield wf
        yield tasks
        yield due
        yield from self._durations.collect()  # after this scrape's observations


_WORKFLOW_STATES = ("IDLE", "RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED")
_TASK_STATES = ("IDLE", "WAITING", "RUNNING", "RUNNING_DELAYED", "PAUSED", "SUCCESS", "ERROR",
                "CANCELLED", "SKIPPED")


class _ProbeCollector:
    """A gauge whose value is read from a callable at scrape time."""

    def __init__(self, name: str, doc: str, probe: Callable[[], float]) -> None:
        self._name, self._doc, self._probe = name, doc, probe

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            value = float(self._probe())
        except Exception:  # noqa: BLE001
            return
        yield GaugeMetricFamily(self._name, self._doc, value=value)


class ServiceMetrics:
    """One process's metrics registry and the series it exposes."""

    def __init__(self, clock: Callable[[], datetime.datetime] | None = None) -> None:
        self.registry = CollectorRegistry()
        self._clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.requests = Counter("mistral_api_requests", "API requests answered",
                                ["method", "status"], registry=self.registry)
        self.request_seconds = Histogram("mistral_api_request_duration_seconds",
                                         "Time to answer an API request", registry=self.registry)
        self.task_durations = Histogram("mistral_task_duration_seconds",
                                        "Task executions' run time (finished_at - started_at)",
                                        buckets=DURATION_BUCKETS, registry=None)
        self.repairs = Counter("mistral_reconciler_repairs",
                               "Repairs made by this engine's reconciler", registry=self.registry)
        self._has_db = False

    def add_database(self, db: Any) -> None:
        if not self._has_db:
            self._has_db = True
            self.registry.register(_DatabaseCollector(db, self.task_durations, self._clock))

    def add_engine(self, engine: Any, heartbeats_pending: Callable[[], float] | None = None) -> None:
        self.registry.register(_ProbeCollector(
            "mistral_engine_heartbeat_lag_seconds",
            "How far this engine is behind on executor heartbeats", engine.heartbeat_lag))
        if heartbeats_pending is not None:
            self.registry.register(_ProbeCollector(
                "mistral_engine_heartbeats_pending",
                "Reported action ids waiting to be applied by this engine", heartbeats_pending))

    def count_repairs(self, repaired: int) -> None:
        if repaired > 0:
            self.repairs.inc(repaired)

    def add_executor(self, executor: Any) -> None:
        self.registry.register(_ProbeCollector(
            "mistral_executor_actions",
            "Actions accepted by this executor, queued or running", lambda: len(executor.running_ids())))

    def observe_request(self, method: str, path: str, status: int, seconds: float) -> None:
        self.requests.labels(method=method, status=str(status)).inc()
        self.request_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def with_metrics(app: WSGIApp, metrics: ServiceMetrics) -> WSGIApp:
    """``app`` with ``GET /metrics`` answered from ``metrics`` (every other path unchanged)."""

    def dispatch(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != PATH:
            return app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"),
                                                      ("Content-Type", "text/plain")])
            return [b"GET only\n"]
        body = metrics.render()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST),
                                  ("Content-Length", str(len(body)))])
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    return dispatch


def serve(metrics: ServiceMetrics, host: str, port: int) -> Callable[[], None]:
    """Serve ``/metrics`` on its own port (a process without the API); returns ``stop``."""
    from prometheus_client import start_http_server

    server, thread = start_http_server(port, addr=host, registry=metrics.registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop
