"""``mistral-server``: the composition root of the services.

::

    mistral-server --server all|api|engine|executor|event-engine|notifier|periodic[,...] --config-file F

Builds config → Database → transport → clients → services and passes each what it
needs; nothing below this module reads the configuration. ``all`` runs every service in
one process; with the defaults that is the embedded setup (``fake:/`` transport, an
SQLite file in ``state_path`` whose schema is created on first start, a file-based tooz
backend). SIGTERM and SIGINT stop everything in reverse order and exit 0.

Errors a user can make (unknown server name, bad option, unreachable database, port in
use) are one line on stderr: exit 2 for command-line mistakes, 1 for the rest. A
requested service that cannot start (even one whose code cannot be imported) stops the
process with ``cannot start the <service> service: ...`` and exit 1: nothing runs with a
service missing. A config file setting a Mistral option this project does not have
(``mistral.config.REMOVED_OPTIONS``) gets a warning naming the option and why.

Notes on the services:

* ``engine``: ``DefaultEngine`` + its RPC server + the scheduler loop (timers) + the
  reconciler. With ``[executor] type = local`` — or engine and executor in one process
  on the in-process ``fake:/`` transport, where an RPC hop buys nothing — the engine
  runs actions in its own pool and no executor server is started.
  With ``[execution_expiration_policy]`` set, the engine's scheduler also runs the
  expiration job chain (``mistral.services.expiration``), as Mistral's engine does.
* ``executor``: ``DefaultExecutor`` behind the executor RPC server; results and
  heartbeats go to the engines over RPC.
* ``api``: ``build_api_app`` (``make_app`` + Keystone + health check; reusable by any
  WSGI container) served by a threaded WSGI server on ``[api] host:port`` with
  ``max(8, [api] api_workers)`` request threads, HTTPS with ``[api] enable_ssl_api``
  (``[ssl] cert_file/key_file``, optional ``ca_file`` for client certificates). In the
  same process as an engine it calls that engine directly, otherwise over RPC.
* ``periodic``: cron triggers (``mistral.services.cron_triggers``) on the durable
  scheduler, starting workflows through the engine (local or RPC); ``[cron_trigger]
  enabled = False`` turns it off.
* ``event-engine``: ``mistral.services.event_engine`` — oslo.messaging notification
  listeners on the (exchange, topic) pairs the event triggers name, starting their
  workflows through the engine (local or RPC) as the trigger's owner.
* ``notifier``: with ``[notifier] type = remote`` (Mistral's default) engines cast their
  execution events to ``[notifier] topic``; a notifier process delivers them to the
  publishers (``[notifier] host`` names its RPC server). ``type = local`` delivers from
  the engine's process. On ``fake:/`` an engine and a notifier in one process skip the hop.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import ssl
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from oslo_config import cfg  # noqa: E402

from mistral import config  # noqa: E402
from mistral import exceptions as exc  # noqa: E402

PROG = "mistral-server"
LOG = logging.getLogger("mistral.cmd.launch")
SERVICES = tuple(n for n in config.SERVER_NAMES if n != "all")


class UsageError(Exception):
    """A command-line mistake: exit code 2."""


@contextlib.contextmanager
def _starting(service: str) -> Iterator[None]:
    """A requested service that cannot start stops ``mistral-server``: its error, named."""
    try:
        yield
    except exc.MistralError as e:
        raise exc.ConfigError(f"cannot start the {service} service: {_one_line(e)}") from e
    except Exception as e:  # noqa: BLE001 - e.g. an ImportError of a broken installation
        LOG.exception("Starting the %s service failed", service)
        raise exc.ConfigError(
            f"cannot start the {service} service: {type(e).__name__}: {_one_line(e)}") from e


def parse_servers(values: Sequence[str]) -> list[str]:
    """``["api,engine"]`` / ``["all"]`` → the services to run, in start order."""
    names = [n.strip() for v in values for n in str(v).split(",") if n.strip()]
    unknown = [n for n in names if n not in config.SERVER_NAMES]
    if unknown:
        raise UsageError(
            f"unknown server name(s): {', '.join(unknown)}; valid names: {', '.join(config.SERVER_NAMES)}"
        )
    if not names or "all" in names:
        return list(SERVICES)
    return [s for s in SERVICES if s in names]


# -- the WSGI server ----------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        LOG.debug("%s - %s", self.address_string(), format % args)


class PooledWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref with a bounded pool of request threads instead of a thread per request;
    with ``ssl_context`` each connection is TLS (the handshake runs in its pool thread,
    so a slow client never holds up ``accept``)."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a burst of clients overflowed it and
    # some had their connection reset instead of an answer.
    request_queue_size = 128
    pool: ThreadPoolExecutor
    ssl_context: ssl.SSLContext | None = None
    handshake_timeout = 30.0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self.process_request_thread, request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(self.handshake_timeout)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            LOG.debug("TLS handshake with %s failed: %s", client_address[0], e)
            return
        try:
            tls.settimeout(None)
            super().finish_request(tls, client_address)
        finally:
            tls.close()


def make_wsgi_server(
    app: Callable[..., Any], host: str, port: int, threads: int,
    ssl_context: ssl.SSLContext | None = None,
) -> PooledWSGIServer:
    server = make_server(host, port, app, server_class=PooledWSGIServer, handler_class=_QuietHandler)
    server.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mistral-api")
    if ssl_context is not None:
        server.ssl_context = ssl_context  # type: ignore[attr-defined]
        server.base_environ["HTTPS"] = "on"  # type: ignore[attr-defined]  # wsgi.url_scheme
    return server  # type: ignore[return-value]


# -- the process ----------------------------------------------------------------------------


def node_name(host: str) -> str:
    """What an executor reports as ``executor_host``: the configured name, or the
    machine's hostname when the option keeps its ``0.0.0.0`` default."""
    return host if host and host != "0.0.0.0" else socket.gethostname()


class Launcher:
    """Builds and runs the services; ``stop()`` undoes ``start()`` in reverse order."""

    def __init__(self, conf: cfg.ConfigOpts, services: list[str], serve_api: bool = True) -> None:
        self.conf = conf
        self.services = services
        # serve_api=False: build the API's WSGI app (``api_app``) without serving it, for
        # a WSGI server importing ``mistral.wsgi:application``
        self.serve_api = serve_api
        self._stops: list[tuple[str, Callable[[], Any]]] = []
        self.api_server: PooledWSGIServer | None = None
        self.api_app: Callable[..., Any] | None = None
        self.metrics: Any = None  # mistral.api.metrics.ServiceMetrics with [metrics] enabled
        self.scheduler: Any = None
        self.event_engine: Any = None  # the EventEngine, with --server event-engine
        # With the in-process fake:/ transport nothing outside this process can reach an
        # executor server, and the fake driver polls every 50 ms: an engine and executor
        # in one process then share the engine's pool, exactly like [executor] type=local.
        in_process = str(conf.transport_url or "").startswith("fake:")
        self.local_executor = conf.executor.type == "local" or (
            in_process and "engine" in services and "executor" in services
        )

    def _on_stop(self, what: str, fn: Callable[[], Any]) -> None:
        self._stops.append((what, fn))

    def start(self) -> None:
        conf = self.conf
        from mistral import rpc
        from mistral.actions.base import ActionSettings
        from mistral.actions.registry import ActionRegistry
        from mistral.services.coordination import ServiceCoordinator, default_backend_url

        # an executor-only node never touches the database (like Mistral's executors)
        db = self._database() if {"api", "engine", "periodic", "event-engine"} & set(self.services) else None
        self._start_metrics(db)
        if self.services == ["executor"] and str(conf.transport_url).startswith("fake:"):
            LOG.warning("An executor alone on the in-process fake:/ transport gets no work; "
                        "set [DEFAULT] transport_url to the broker the engines use")
        if self.services == ["executor"]:
            # an executor takes only what it can run now: about as many handler threads
            # as action slots (a request waits in its handler for a slot; two more keep
            # cancels flowing) and a small prefetch, so the broker keeps the backlog for
            # the other executors
            slots = max(1, int(conf.executor.max_workers))
            rpc.limit_server_threads(conf, slots + 2)
            rpc.limit_prefetch(conf, slots)
        transport = rpc.get_transport(conf.transport_url, conf)
        self._on_stop("transport", lambda: rpc.cleanup(transport))
        from mistral.actions.javascript import check_implementation

        registry = ActionRegistry.load(settings=ActionSettings(
            http=self._egress_policy(), js_implementation=check_implementation(conf.js_implementation),
            openstack=self._openstack_settings()))
        coordinator = ServiceCoordinator(
            conf.coordination.backend_url or default_backend_url(conf.state_path, conf.database.connection),
            member_id=f"{socket.gethostname()}_{os.getpid()}",
            heartbeat_interval=conf.coordination.heartbeat_interval,
        )
        coordinator.start(wait=2.0)
        self._on_stop("coordination", coordinator.stop)

        engine: Any = None
        if "engine" in self.services:
            with _starting("engine"):
                engine = self._start_engine(db, transport, registry)
        if "executor" in self.services:
            if engine is not None and self.local_executor:
                LOG.info("Actions run in the engine's own pool (local executor); no executor server")
            else:
                with _starting("executor"):
                    self._start_executor(transport, registry)
        if "periodic" in self.services:
            with _starting("periodic"):
                self._start_periodic(db, transport, engine)
        if "event-engine" in self.services:
            with _starting("event-engine"):
                self._start_event_engine(db, transport, engine)
        if "notifier" in self.services:
            with _starting("notifier"):
                self._start_notifier(transport)
        if "api" in self.services:
            with _starting("api"):
                api_engine = engine if engine is not None else rpc.EngineClient(transport, topic=conf.engine.topic)
                self._start_api(db, api_engine, registry, coordinator)
        if self.metrics is not None and "api" not in self.services:
            self._on_stop("metrics listener", self._serve_metrics())
        for name in self.services:
            coordinator.join(name)
        LOG.info("%s running: %s", PROG, ", ".join(self.services))

    def _database(self) -> Any:
        from mistral.db import migration
        from mistral.db.api import Database

        db = Database(**config.database_options(self.conf))
        self._on_stop("database", db.dispose)
        db.check_connection()
        if migration.current_revision(db) is None:
            import sqlalchemy

            empty = not sqlalchemy.inspect(db.engine).get_table_names()
            if db.is_sqlite and empty:
                LOG.info("Empty SQLite database: creating the schema (alembic upgrade head)")
                migration.upgrade(db)
            else:
                raise exc.DBError(
                    "The database has no schema version; run "
                    "'mistral-db-manage --config-file <file> upgrade head' first"
                )
        return db

    def _trusts(self, db: Any) -> Any:
        """Keystone trusts of cron and event triggers (``[pecan] auth_enable`` with the
        ``[keystone_authtoken]`` service user); one per process. None without them."""
        if not hasattr(self, "_trusts_built"):
            from mistral.services.trusts import KeystoneTrusts

            creds = config.service_credentials(self.conf)
            if creds is None and self.conf.pecan.auth_enable:
                LOG.warning("[keystone_authtoken] has no auth_type/auth_url: cron and event "
                            "triggers get no Keystone trust (they run without a token)")
            self._trusts_built = KeystoneTrusts(creds, db) if creds is not None else None
        return self._trusts_built

    def _openstack_settings(self) -> Any:
        """``[openstack_actions]`` for the generated OpenStack actions."""
        from mistral.actions.base import OpenStackSettings

        group = self.conf.openstack_actions
        return OpenStackSettings(
            endpoint_type=group.os_actions_endpoint_type,
            modules_support_region=tuple(group.modules_support_region),
            default_region=group.default_region or None,
        )

    def _egress_policy(self) -> Any:
        """``[action_std_http]``: what std.http and webhooks may reach (built once)."""
        from mistral.utils.egress import EgressPolicy

        if getattr(self, "_egress", None) is None:
            try:
                self._egress = EgressPolicy.from_options(self.conf.action_std_http)
            except ValueError as e:
                raise exc.ConfigError(str(e)) from None
        return self._egress

    def _notifier(self, transport: Any) -> Any:
        """The engine's notifier: ``[notifier] type = local`` (or a notifier service in
        this very process on ``fake:/``) delivers from a pool here; ``remote`` casts the
        events to the ``--server notifier`` processes on ``[notifier] topic``."""
        from mistral import rpc
        from mistral.notifiers.local import LocalNotifier, load_publishers

        conf = self.conf
        in_process = str(conf.transport_url or "").startswith("fake:") and "notifier" in self.services
        if conf.notifier.type == "remote" and not in_process:
            LOG.info("Notifications are sent to the notifier service [topic=%s]", conf.notifier.topic)
            return rpc.NotifierClient(transport, topic=conf.notifier.topic)
        notifier = LocalNotifier(load_publishers(egress=self._egress_policy()))
        self._on_stop("notifier", notifier.stop)
        return notifier

    def _start_notifier(self, transport: Any) -> None:
        """``--server notifier``: delivers the events engines send with ``type = remote``."""
        from mistral import rpc
        from mistral.notifiers.local import LocalNotifier, load_publishers

        conf = self.conf
        if "engine" in self.services and str(conf.transport_url or "").startswith("fake:"):
            LOG.info("notifier: the engine in this process delivers its notifications itself")
            return
        notifier = LocalNotifier(load_publishers(egress=self._egress_policy()))
        self._on_stop("notifier pool", notifier.stop)
        server = rpc.make_notifier_server(transport, notifier, host=conf.notifier.host,
                                          topic=conf.notifier.topic)
        server.start()
        self._on_stop("notifier RPC server", server.stop)

    def _start_engine(self, db: Any, transport: Any, registry: Any) -> Any:
        from mistral import rpc
        from mistral.engine.default_engine import DefaultEngine
        from mistral.engine.settings import EngineSettings
        from mistral.executors import LocalExecutor

        conf = self.conf
        scheduler = self._new_scheduler(db)
        local: LocalExecutor | None = None
        executor: Any
        if self.local_executor:
            local = LocalExecutor(
                registry, max_workers=conf.executor.max_workers,
                heartbeat_interval=conf.action_heartbeat.check_interval,
                host=node_name(conf.engine.host),
            )
            executor = local
        else:
            executor = rpc.ExecutorClient(transport, topic=conf.executor.topic)
            self._on_stop("executor client (queued sends)", executor.close)
        engine = DefaultEngine(db, executor, scheduler, EngineSettings.from_conf(conf),
                               registry=registry, notifier=self._notifier(transport),
                               trusts=self._trusts(db))
        for key, handler in engine.timer_handlers().items():
            scheduler.register_handler(key, handler)
        if local is not None:
            local.attach_engine(engine)
            local.start()
            self._on_stop("local executor", local.stop)
        # each engine RPC handler may hold a database connection: keep some for the
        # scheduler, the reconciler, heartbeats and an API in this process
        reserve = 8 + (max(8, conf.api.api_workers) if "api" in self.services else 0)
        db_conns = int(conf.database.max_pool_size or 5) + max(int(conf.database.max_overflow or 0), 0)
        threads = rpc.limit_server_threads(conf, max(4, db_conns - reserve))
        LOG.info("Engine RPC server: %d handler threads for %d database connections", threads, db_conns)
        server = rpc.make_engine_server(transport, engine, host=conf.engine.host, topic=conf.engine.topic)
        if server.heartbeats is not None:
            engine.heartbeat_backlog = server.heartbeats.backlog
        if self.metrics is not None:
            self.metrics.add_engine(engine, server.heartbeats.pending if server.heartbeats else None)
            engine.on_repairs = self.metrics.count_repairs
            if local is not None:
                self.metrics.add_executor(local)
        server.start()
        self._on_stop("engine RPC server", server.stop)
        self._start_expiration(db, scheduler)
        scheduler.start()
        self._on_stop("scheduler", scheduler.stop)
        self.scheduler = scheduler
        engine.start()
        self._on_stop("engine", engine.stop)
        return engine

    def _start_expiration(self, db: Any, scheduler: Any) -> None:
        """``[execution_expiration_policy]`` as a job chain on the engine's scheduler."""
        from mistral.services.expiration import ExecutionExpiration, ExpirationPolicy

        policy = ExpirationPolicy.from_options(self.conf.execution_expiration_policy)
        if not policy.enabled:
            LOG.debug("Execution expiration is off ([execution_expiration_policy] "
                      "evaluation_interval and older_than or max_finished_executions unset)")
            return
        ExecutionExpiration(db, scheduler, policy).start()

    def _new_scheduler(self, db: Any) -> Any:
        from mistral.scheduler import Scheduler

        sched = self.conf.scheduler
        return Scheduler(
            db, fixed_delay=sched.fixed_delay, random_delay=sched.random_delay,
            batch_size=sched.batch_size, captured_job_timeout=sched.captured_job_timeout,
        )

    def _start_periodic(self, db: Any, transport: Any, engine: Any) -> None:
        from mistral import rpc
        from mistral.services.cron_triggers import CronTriggerService

        conf = self.conf
        if not conf.cron_trigger.enabled:
            LOG.info("periodic: [cron_trigger] enabled = False; cron triggers do not fire here")
            return
        scheduler = self.scheduler
        if scheduler is None:
            scheduler = self._new_scheduler(db)
            scheduler.start()
            self._on_stop("periodic scheduler", scheduler.stop)
        target = engine if engine is not None else rpc.EngineClient(transport, topic=conf.engine.topic)
        cron = CronTriggerService(db, target, scheduler, interval=conf.cron_trigger.execution_interval,
                                  trusts=self._trusts(db))
        cron.start()
        self._on_stop("cron triggers", cron.stop)

    def _start_event_engine(self, db: Any, transport: Any, engine: Any) -> None:
        from mistral import rpc
        from mistral.rpc.notifications import get_notification_transport, make_notification_listener
        from mistral.services.event_engine import EventDefinitions, EventEngine

        conf = self.conf
        opts = conf.event_engine
        definitions = EventDefinitions.load(opts.event_definitions_cfg_file)
        pool_name = opts.listener_pool_name
        notifications = get_notification_transport(conf.transport_url, conf)
        self._on_stop("notification transport", lambda: rpc.cleanup(notifications))

        def listen(exchange: str, topic: str, handler: Any) -> Any:
            return make_notification_listener(notifications, exchange, topic, handler,
                                              pool=f"mistral-{exchange}-{pool_name}")

        target = engine if engine is not None else rpc.EngineClient(transport, topic=conf.engine.topic)
        events = EventEngine(db, target, listen, definitions, refresh_interval=opts.trigger_refresh_interval,
                             trusts=self._trusts(db))
        events.start()
        self.event_engine = events
        self._on_stop("event engine", events.stop)

    def _start_executor(self, transport: Any, registry: Any) -> None:
        from mistral import rpc
        from mistral.executors import DefaultExecutor

        conf = self.conf
        executor = DefaultExecutor(
            registry, rpc.EngineClient(transport, topic=conf.engine.topic),
            max_workers=conf.executor.max_workers,
            heartbeat_interval=conf.action_heartbeat.check_interval,
            host=node_name(conf.executor.host),
        )
        executor.start()
        self._on_stop("executor", executor.stop)
        if self.metrics is not None:
            self.metrics.add_executor(executor)
        server = rpc.make_executor_server(transport, executor, host=conf.executor.host, topic=conf.executor.topic)
        server.start()
        self._on_stop("executor RPC server", server.stop)

    def _start_api(self, db: Any, engine: Any, registry: Any, coordinator: Any) -> None:
        conf = self.conf
        app = build_api_app(conf, db, engine, coordinator.list_services, registry.list_definitions,
                            metrics=self.metrics, registry=registry, trusts=self._trusts(db))
        self.api_app = app
        if not self.serve_api:
            return
        threads = max(8, conf.api.api_workers)
        ssl_context = tls_context(conf) if conf.api.enable_ssl_api else None
        try:
            server = make_wsgi_server(app, conf.api.host, conf.api.port, threads, ssl_context)
        except OSError as e:
            raise exc.ConfigError(f"Cannot listen on {conf.api.host}:{conf.api.port}: {e.strerror or e}") from None
        self.api_server = server
        thread = threading.Thread(target=server.serve_forever, name="mistral-api-server", daemon=True)
        thread.start()

        def stop_api() -> None:
            server.shutdown()
            server.server_close()
            server.pool.shutdown(wait=False, cancel_futures=True)
            thread.join(5)

        self._on_stop("API server", stop_api)
        LOG.info("API listening on %s://%s:%d/ [threads=%d]", "https" if ssl_context else "http",
                 conf.api.host, server.server_port, threads)

    def _start_metrics(self, db: Any) -> None:
        """``[metrics] enabled``: this process's Prometheus registry (mistral.api.metrics)."""
        if not self.conf.metrics.enabled:
            return
        from mistral.api.metrics import ServiceMetrics

        self.metrics = ServiceMetrics()
        if db is not None:
            self.metrics.add_database(db)

    def _serve_metrics(self) -> Callable[[], None]:
        from mistral.api.metrics import serve

        host, port = self.conf.metrics.host, self.conf.metrics.port
        try:
            stop = serve(self.metrics, host, port)
        except OSError as e:
            raise exc.ConfigError(f"Cannot listen on {host}:{port} for /metrics: {e.strerror or e}") from None
        LOG.info("Metrics at http://%s:%d/metrics", host, port)
        return stop

    def stop(self) -> None:
        while self._stops:
            what, fn = self._stops.pop()
            try:
                fn()
            except Exception:  # noqa: BLE001 - stop everything else regardless
                LOG.exception("Stopping %s failed", what)


def build_api_app(
    conf: cfg.ConfigOpts,
    db: Any,
    engine: Any,
    list_services: Callable[[], list],
    list_system_actions: Callable[[], list],
    metrics: Any = None,
    registry: Any = None,
    trusts: Any = None,
) -> Callable[..., Any]:
    """The API's WSGI application as ``mistral-server`` serves it: ``make_app`` behind
    Keystone's auth_token (``[pecan] auth_enable``), the health check, ``/metrics``
    (a ``mistral.api.metrics.ServiceMetrics``, with ``[metrics] enabled``) and the
    per-request log line; ``trusts`` (``mistral.services.trusts.KeystoneTrusts``) gives
    new triggers their Keystone trust. Any WSGI container can serve what this returns.
    Rehearsals (``/v2/rehearsals``) run in this process with ``registry`` (None: loaded at
    the first one) and the ``[engine]`` settings."""
    from mistral.api.app import ApiServices, ApiSettings, make_app
    from mistral.engine.rehearsal import Rehearsal
    from mistral.engine.settings import EngineSettings

    app = make_app(ApiServices(
        db=db, engine=engine, settings=ApiSettings.from_conf(conf),
        list_services=list_services,
        list_system_actions=list_system_actions,
        policy=_policy(conf), trusts=trusts,
        rehearsal=Rehearsal(db, registry, EngineSettings.from_conf(conf)),
    ))
    if conf.pecan.auth_enable:
        from mistral.api import auth

        if conf.auth_type != "keystone":
            raise exc.ConfigError(
                f"auth_type = {conf.auth_type} is not supported; only keystone "
                "(keystonemiddleware auth_token from [keystone_authtoken])")
        app = auth.with_keystone(app, conf)
    if conf.healthcheck.enabled:
        from mistral.api.healthcheck import with_healthcheck

        app = with_healthcheck(app, conf)  # outside auth: unauthenticated, as in Mistral
    if metrics is not None:
        from mistral.api.metrics import with_metrics

        app = with_metrics(app, metrics)  # outside auth too, like /healthcheck
    from mistral.api.requestlog import with_request_log

    return with_request_log(app, metrics.observe_request if metrics is not None else None)


def _policy(conf: cfg.ConfigOpts) -> Any:
    """The API policy ([oslo_policy] policy_file over Mistral's defaults), read now so a
    broken file stops the start with one line instead of failing every request."""
    from oslo_policy import policy as oslo_policy

    from mistral.api.policy import Policy

    if not conf.pecan.auth_enable:
        return None
    policy = Policy(conf)
    try:
        policy.load()
    except (oslo_policy.PolicyNotRegistered, ValueError, OSError) as e:
        raise exc.ConfigError(f"Cannot read the policy file: {e}") from None
    return policy


def tls_context(conf: cfg.ConfigOpts) -> ssl.SSLContext:
    """``[ssl]``: the server-side TLS context of the API (``[api] enable_ssl_api``)."""
    opts = conf.ssl
    cert_file, key_file, ca_file = opts.cert_file, opts.key_file, opts.ca_file
    ciphers, version = opts.ciphers, opts.version
    if not cert_file or not key_file:
        raise exc.ConfigError("[api] enable_ssl_api = True needs [ssl] cert_file and key_file")
    for what, path in (("cert_file", cert_file), ("key_file", key_file), ("ca_file", ca_file)):
        if path and not os.path.isfile(path):
            raise exc.ConfigError(f"[ssl] {what}: no such file: {path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = (ssl.TLSVersion.TLSv1_3 if version == "TLSv1_3"
                               else ssl.TLSVersion.TLSv1_2)
    try:
        context.load_cert_chain(cert_file, key_file)
        if ca_file:
            context.load_verify_locations(ca_file)
            context.verify_mode = ssl.CERT_REQUIRED
        if ciphers:
            context.set_ciphers(ciphers)
    except (ssl.SSLError, ValueError) as e:
        raise exc.ConfigError(f"[ssl]: cannot use the certificate, key or ciphers: {e}") from None
    return context


def _setup_logging(conf: cfg.ConfigOpts) -> None:
    from oslo_log import log as oslo_logging

    oslo_logging.setup(conf, "mistral")
    from mistral.utils import logcontext

    logcontext.install()  # request ids on the log lines of the work a request started
    for noisy in ("oslo_db", "oslo_service", "stevedore", "tooz", "amqp", "kombu", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]


def load_config(argv: Sequence[str] | None, conf: cfg.ConfigOpts) -> list[str]:
    """Parse the command line and files into ``conf``; the services to run.
    Raises ``UsageError`` / ``cfg.Error`` for the user's mistakes."""
    config.parse_args(argv, conf=conf, with_server_opt=True)
    return parse_servers(conf.server)


def removed_options_set(conf: cfg.ConfigOpts) -> list[str]:
    """``[group] name (file): why`` for each Mistral option we do not have that a config
    file sets (oslo.config ignores them silently)."""
    found: list[str] = []
    for path in conf.config_file or ():
        sections: dict[str, dict[str, list[str]]] = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except (OSError, cfg.ParseError):
            continue
        for (group, name), why in config.REMOVED_OPTIONS.items():
            if name in sections.get(group, {}):
                found.append(f"[{group}] {name} ({path}): {why}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    from oslo_log import log as oslo_logging

    conf = cfg.ConfigOpts()
    oslo_logging.register_options(conf)
    try:
        services = load_config(argv, conf)
    except (UsageError, cfg.Error) as e:
        print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    _setup_logging(conf)
    for line in removed_options_set(conf):
        LOG.warning("Option ignored: %s", line)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        LOG.info("Signal %s received: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    launcher = Launcher(conf, services)
    try:
        launcher.start()
    except exc.MistralError as e:
        launcher.stop()
        print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a library's error: log it whole, tell the user one line
        LOG.exception("Start-up failed")
        launcher.stop()
        print(f"{PROG}: error: cannot start: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1
    # Everything built so far (modules, the action registry, the app) lives as long as
    # the process: out of the collector's sight, a full collection no longer walks it.
    gc.collect()
    gc.freeze()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        launcher.stop()
        LOG.info("%s stopped", PROG)
    return 0


if __name__ == "__main__":
    sys.exit(main())
