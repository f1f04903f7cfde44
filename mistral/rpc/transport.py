"""Building an oslo.messaging RPC transport from a URL.

``fake:/`` is the in-process transport (every client and server must share the one
``Transport`` object); ``rabbit://user:pass@host:port/vhost`` crosses processes.
"""

from __future__ import annotations

import oslo_messaging
from oslo_config import cfg
from oslo_messaging import Transport

from mistral import exceptions as exc

__all__ = ["Transport", "cleanup", "get_transport", "limit_prefetch", "limit_server_threads"]

DEFAULT_CONTROL_EXCHANGE = "mistral"


def get_transport(url: str = "fake:/", conf: cfg.ConfigOpts | None = None) -> Transport:
    """An RPC transport for ``url``.

    ``conf`` carries driver options (``[oslo_messaging_rabbit]``, ``rpc_response_timeout``);
    the composition root passes the service's config, tests pass nothing and get defaults.
    A URL oslo.messaging cannot use raises ``ConfigError`` naming it.
    """
    if conf is None:
        conf = cfg.ConfigOpts()
        oslo_messaging.set_transport_defaults(DEFAULT_CONTROL_EXCHANGE)
    _register_tracing_opts(conf)
    try:
        return oslo_messaging.get_rpc_transport(conf, url=url)
    except (oslo_messaging.InvalidTransportURL, oslo_messaging.DriverLoadFailure) as e:
        raise exc.ConfigError(f"Bad transport_url {url!r}: {e}") from None


def limit_server_threads(conf: cfg.ConfigOpts, limit: int) -> int:
    """Cap the default of ``[DEFAULT] executor_thread_pool_size`` (oslo.messaging's 64).

    An engine's RPC handler holds a database connection while it waits for its
    execution's row lock; more handlers than the connection pool serves make them time
    out in the pool instead of waiting their turn. An operator's own value wins.
    Returns the size the servers of ``conf`` will use.
    """
    from oslo_messaging import server as om_server

    conf.register_opts(om_server._pool_opts)
    default = conf._get_opt_info("executor_thread_pool_size")["opt"].default
    if limit < default:
        conf.set_default("executor_thread_pool_size", max(1, limit))
    return int(conf.executor_thread_pool_size)


def limit_prefetch(conf: cfg.ConfigOpts, count: int) -> int:
    """Default ``[oslo_messaging_rabbit] rabbit_qos_prefetch_count`` (unlimited in
    oslo.messaging) to ``count``, so an executor process holds only a few messages it
    cannot run yet and the broker keeps the rest for the others. Call before
    ``get_transport``; an operator's own value wins. Returns the value in force."""
    from oslo_messaging._drivers import impl_rabbit

    conf.register_opts(impl_rabbit.rabbit_opts, group="oslo_messaging_rabbit")
    conf.set_default("rabbit_qos_prefetch_count", max(1, int(count)),
                     group="oslo_messaging_rabbit")
    return int(conf.oslo_messaging_rabbit.rabbit_qos_prefetch_count)


def cleanup(transport: Transport) -> None:
    """Close the transport's connections (end of a process or a test)."""
    transport.cleanup()


def _register_tracing_opts(conf: cfg.ConfigOpts) -> None:
    """oslo.messaging registers its tracing and metrics options on the global CONF only."""
    from oslo_messaging._metrics import client as metrics
    from oslo_messaging._tracing import client as tracing

    for group, opts in (
        ("oslo_messaging_tracing", getattr(tracing, "oslo_messaging_tracing", None)),
        ("oslo_messaging_metrics", getattr(metrics, "oslo_messaging_metrics", None)),
    ):
        if opts and group not in conf:
            conf.register_opts(opts, group=group)
