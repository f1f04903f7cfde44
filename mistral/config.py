"""Configuration: every option the service reads, under Mistral's group and option names.

This module and the composition root in ``mistral/cmd`` are the only places that read
``cfg.CONF``; everything else receives the values it needs as arguments.

The defaults give the embedded setup: all services in one process, the in-process
``fake:/`` transport, an SQLite file and a file-based tooz backend in ``state_path``.
Options Mistral has keep Mistral's names and meaning; the few of our own are marked so
in their help text.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from oslo_config import cfg

SERVER_NAMES = ("all", "api", "engine", "executor", "event-engine", "notifier", "periodic")

DEFAULT_STATE_PATH = os.path.join(os.path.expanduser("~"), ".local", "state", "mistral")

default_opts = [
    cfg.StrOpt(
        "state_path",
        default=DEFAULT_STATE_PATH,
        sample_default="~/.local/state/mistral",
        help="(Ours.) Directory for the embedded defaults: the SQLite database file and "
        "the file-based coordination backend live here unless configured otherwise.",
    ),
    cfg.StrOpt(
        "js_implementation",
        default="py_mini_racer",
        choices=["pyv8", "v8eval", "py_mini_racer"],
        help="The JavaScript implementation used by the std.javascript action.",
    ),
    cfg.IntOpt(
        "max_definition_size_kb",
        default=1024,
        min=1,
        help="(Ours.) Largest workbook, workflow or action definition accepted, in KiB.",
    ),
    cfg.IntOpt(
        "max_definition_depth",
        default=64,
        min=4,
        help="(Ours.) Deepest nesting of mappings and lists accepted in a definition.",
    ),
    cfg.StrOpt(
        "auth_type",
        default="keystone",
        choices=["keystone", "keycloak-oidc"],
        deprecated_opts=[cfg.DeprecatedOpt("auth_type", group="api")],
        help="Authentication type used when [pecan] auth_enable is True. Only keystone "
        "(keystonemiddleware's auth_token, configured in [keystone_authtoken]) is "
        "implemented; keycloak-oidc is refused at start. Also read from [api] auth_type "
        "(deprecated).",
    ),
]

server_cli_opt = cfg.ListOpt(
    "server",
    default=["all"],
    help="Comma-separated services to run in this process: "
    + ", ".join(SERVER_NAMES)
    + ". 'all' runs every service in one process.",
)

api_opts = [
    cfg.HostAddressOpt("host", default="0.0.0.0", help="Mistral API server host."),
    cfg.PortOpt("port", default=8989, help="Mistral API server port."),
    cfg.BoolOpt(
        "allow_action_execution_deletion",
        default=False,
        help="Enables the ability to delete action executions.",
    ),
    cfg.BoolOpt("enable_ssl_api", default=False, help="Enable the integrated stand-alone API to service requests via HTTPS instead of HTTP."),
    cfg.IntOpt(
        "api_workers",
        default=1,
        min=1,
        help="Number of worker threads serving the API.",
    ),
    cfg.IntOpt(
        "max_request_body_size_kb",
        default=2048,
        min=1,
        help="(Ours.) Largest request body the API accepts, in KiB; larger bodies get 413.",
    ),
    cfg.IntOpt(
        "max_limit",
        default=1000,
        min=1,
        deprecated_name="max_list_limit",
        help="Largest number of resources one list request returns. A request with no "
        "limit, or with a larger one, gets this many at most, with a 'next' link to "
        "the following page (not an error). Bounds the memory a single list takes in "
        "the API and the database.",
    ),
    cfg.IntOpt(
        "default_list_limit",
        min=1,
        help="(Ours.) Page size of list endpoints when the client gives no limit. Unset "
        "(the default) means [api] max_limit, as in Mistral; never more than max_limit.",
    ),
]

pecan_opts = [
    cfg.BoolOpt(
        "auth_enable",
        default=False,
        help="Enables user authentication in pecan. Mistral's default is True; the "
        "embedded defaults here run without Keystone, so it is False unless set.",
    ),
]

engine_opts = [
    cfg.StrOpt("host", default="0.0.0.0", sample_default="<hostname>", help="Name of the engine node. This can be an opaque identifier. It is not necessarily a hostname, FQDN, or IP address."),
    cfg.StrOpt("topic", default="mistral_engine", help="The message topic that the engine listens on."),
    cfg.IntOpt(
        "execution_field_size_limit_kb",
        default=1024,
        help="The default maximum size in KB of large text fields of runtime execution "
        "objects. Use -1 for no limit.",
    ),
    cfg.IntOpt(
        "execution_integrity_check_delay",
        default=20,
        help="A number of seconds since the last update of a task execution in RUNNING "
        "state after which Mistral will start checking its integrity. Use -1 to disable.",
    ),
    cfg.IntOpt(
        "execution_integrity_check_batch_size",
        default=5,
        min=1,
        help="A number of task executions in RUNNING state that the execution integrity "
        "checker can process in a single iteration.",
    ),
    cfg.StrOpt(
        "merge_strategy",
        default="replace",
        choices=["replace", "merge"],
        help="Merge strategy of data inside the workflow execution (workflow context, "
        "task published data).",
    ),
    cfg.IntOpt(
        "reconcile_interval",
        default=5,
        min=1,
        help="(Ours.) Seconds between passes of the reconciler that repairs executions "
        "whose messages were lost (for example after a crash between commit and send).",
    ),
]

executor_opts = [
    cfg.StrOpt(
        "type",
        default="remote",
        choices=["local", "remote"],
        help="Type of executor. Use local to run the executor within the engine server. "
        "Use remote if the executor is launched as a separate server to run action executions.",
    ),
    cfg.StrOpt("host", default="0.0.0.0", sample_default="<hostname>", help="Name of the executor node. This can be an opaque identifier. It is not necessarily a hostname, FQDN, or IP address."),
    cfg.StrOpt("topic", default="mistral_executor", help="The message topic that the executor listens on."),
    cfg.IntOpt(
        "max_workers",
        default=16,
        min=1,
        help="(Ours.) Size of the bounded pool that runs actions in one executor.",
    ),
]

scheduler_opts = [
    cfg.FloatOpt(
        "fixed_delay",
        default=1,
        min=0.01,
        help="Fixed part of the delay between scheduler iterations, in seconds.",
    ),
    cfg.FloatOpt(
        "random_delay",
        default=0,
        min=0,
        help="Random part of the delay between scheduler iterations, in seconds.",
    ),
    cfg.IntOpt(
        "batch_size",
        default=1000,
        min=1,
        help="The max number of delayed calls will be selected during a scheduler iteration.",
    ),
    cfg.IntOpt(
        "captured_job_timeout",
        default=30,
        min=1,
        help="Defines how soon (in seconds) a scheduled job captured for processing "
        "becomes eligible for capturing by other schedulers again.",
    ),
]

cron_trigger_opts = [
    cfg.BoolOpt("enabled", default=True, help="If this value is set to False then the subsystem of cron triggers is disabled."),
    cfg.IntOpt("execution_interval", default=1, min=1, help="This setting defines how frequently Mistral checks for cron triggers that need execution."),
]

execution_expiration_policy_opts = [
    cfg.IntOpt("evaluation_interval", min=1, help="How often will the executions be evaluated (in minutes). Unset: the expiration policy is off."),
    cfg.IntOpt("older_than", min=1, help="Evaluate from which time remove executions in minutes. For example when older_than = 60, remove all executions that finished 60 minutes ago or more. The minimum value is 1."),
    cfg.IntOpt("max_finished_executions", default=0, min=0, help="The maximum number of finished workflow executions to be stored. For example when max_finished_executions = 100, only the 100 latest finished executions will be preserved. This means that even unexpired executions are eligible for deletion, to decrease the space used by the database. 0 means unlimited."),
    cfg.IntOpt("batch_size", default=0, min=0, help="Size of batch of expired executions to be deleted. The default value is 0 which means that all expired executions will be deleted at once."),
    cfg.ListOpt("ignored_states", default=[], item_type=cfg.types.String(choices=("SUCCESS", "ERROR", "CANCELLED")), help="The states that the expiration policy will filter out and will not delete. Valid values are, [SUCCESS, ERROR, CANCELLED]"),
]

event_engine_opts = [
    cfg.HostAddressOpt("listener_pool_name", default="events", help="Name of the event engine's listener pool. This can be an opaque identifier. It is used for identifying the group of event engine listeners in oslo.messaging: event engines in one pool share every notification (each is handled once)."),
    cfg.StrOpt("event_definitions_cfg_file", default="/etc/mistral/event_definitions.yaml", help="Configuration file for event definitions: a YAML list of {event_types, properties} that turns a notification into the event_params a triggered execution gets. A missing file means the default properties (service, project_id, user_id, timestamp)."),
    cfg.FloatOpt("trigger_refresh_interval", default=2.0, min=0.1, help="(Ours.) Seconds between reads of the event triggers table: a trigger created or deleted through any API takes effect within this time, without a restart."),
]

ssl_opts = [
    cfg.StrOpt("cert_file", help="Certificate file to use when starting the server securely ([api] enable_ssl_api)."),
    cfg.StrOpt("key_file", help="Private key file to use when starting the server securely."),
    cfg.StrOpt("ca_file", help="CA certificate file to use to verify connecting clients (client certificates are then required)."),
    cfg.StrOpt("ciphers", help="Sets the list of available ciphers. value should be a string in the OpenSSL cipher list format."),
    cfg.StrOpt("version", choices=["TLSv1_2", "TLSv1_3"], help="SSL version to use (the lowest accepted). Unset: TLS 1.2 and later. Mistral's older choices (TLSv1, SSLv23...) are refused as insecure."),
]

action_heartbeat_opts = [
    cfg.IntOpt(
        "max_missed_heartbeats",
        default=5,
        min=0,
        help="The maximum amount of missed heartbeats to be allowed. If set to 0 then "
        "this feature is disabled. Mistral's default is 15; ours detects a dead "
        "executor within seconds.",
    ),
    cfg.IntOpt(
        "check_interval",
        default=2,
        min=0,
        help="How often (in seconds) action executions are checked for heartbeats. "
        "Executors send heartbeats at this interval too.",
    ),
    cfg.IntOpt(
        "first_heartbeat_timeout",
        default=10,
        min=0,
        help="The first heartbeat is handled differently, to provide a grace period in "
        "case there is no available executor to handle the action execution. Mistral's "
        "default is 3600 s; ours is 10 s.",
    ),
]

coordination_opts = [
    cfg.StrOpt(
        "backend_url",
        help="The backend URL to be used for coordination (tooz: redis://, memcached://, "
        "zookeeper://, file://). Unset means a file backend under state_path.",
    ),
    cfg.FloatOpt("heartbeat_interval", default=5.0, help="Number of seconds between heartbeats for coordination."),
]

notifier_opts = [
    cfg.StrOpt("type", default="remote", choices=["local", "remote"], help="Type of notifier. Use local to run the notifier within the engine server. Use remote if the notifier is launched as a separate server to process events."),
    cfg.StrOpt("host", default="0.0.0.0", sample_default="<hostname>", help="Name of the notifier node. This can be an opaque identifier. It is not necessarily a hostname, FQDN, or IP address."),
    cfg.StrOpt("topic", default="mistral_notifier", help="The message topic that the notifier server listens on."),
    # Each item is a JSON object, as in Mistral: notify = {"type": "webhook", "url": "..."}
    cfg.ListOpt("notify", item_type=json.loads, default=[], help="List of publishers to publish notification."),
]

yaql_opts = [
    cfg.IntOpt("limit_iterators", default=100000, min=-1, help="Limit iterators by the given number of elements: each iterator a YAQL function takes or makes produces at most this many items. -1 allows endless iterators, which can hang an engine. Mistral's default is -1; ours bounds them, as workflow definitions are user input."),
    cfg.IntOpt("memory_quota", default=67108864, min=-1, help="The memory usage quota (in bytes) for all data produced by one YAQL expression (or any part of it). -1 means no limitation. Mistral's default is -1; ours is 64 MiB."),
    cfg.BoolOpt("convert_input_data", default=True, help="Enables input data conversion for YAQL expressions. If set to True, YAQL will convert mutable data structures (lists, dicts, sets) into their immutable versions."),
    cfg.BoolOpt("convert_output_data", default=True, help="Enables output data conversion for YAQL expressions."),
    cfg.BoolOpt("convert_tuples_to_lists", default=True, help="When set to True, yaql converts all tuples in the expression result to lists."),
    cfg.BoolOpt("convert_sets_to_lists", default=False, help="When set to True, yaql converts all sets in the expression result to lists."),
    cfg.BoolOpt("iterable_dicts", default=False, help="When set to True, dictionaries are considered to be iterable and iteration over dictionaries produces their keys."),
    cfg.StrOpt("keyword_operator", default="=>", help="Allows one to configure keyword/mapping symbol. Ability to pass named arguments can be disabled altogether if empty string value is used."),
    cfg.BoolOpt("allow_delegates", default=False, help="Enables or disables delegate expression type."),
]

expressions_opts = [
    cfg.ListOpt(
        "allowed_languages",
        item_type=cfg.types.String(choices=("yaql", "jinja")),
        default=["yaql", "jinja"],
        sample_default="yaql,jinja",
        help="Expression languages workflows, workbooks and ad-hoc actions may use "
        "(yaql, jinja; comma-separated). A definition with an expression in another "
        "language is refused on upload (400 naming the expression's path), and such an "
        "expression is refused when evaluated. Restricting it shrinks what untrusted "
        "definitions can reach.",
    ),
]

healthcheck_opts = [
    cfg.BoolOpt(
        "enabled",
        default=False,
        help="Serve oslo.middleware's health check at /healthcheck on the API port "
        "(unauthenticated). Its behaviour is set by the other [healthcheck] options "
        "(see oslo.middleware's healthcheck documentation).",
    ),
]

metrics_opts = [
    cfg.BoolOpt(
        "enabled",
        default=False,
        help="Expose Prometheus metrics (executions and tasks by state, task durations, "
        "the scheduler's due timers, reconciler repairs, heartbeat lag, executor queue, "
        "API requests). A process running the API serves them at /metrics on the API "
        "port (unauthenticated, like /healthcheck); any other process listens on "
        "[metrics] host:port.",
    ),
    cfg.HostAddressOpt(
        "host",
        default="127.0.0.1",
        help="Address of the /metrics listener of a process without the API.",
    ),
    cfg.PortOpt(
        "port",
        default=9515,
        help="Port of the /metrics listener of a process without the API (engine, "
        "executor, notifier). Give each such process on one machine its own port.",
    ),
]

action_std_http_opts = [
    cfg.ListOpt(
        "allowed_hosts",
        default=[],
        help="Host names std.http, std.mistral_http and the webhook notifier may connect "
        "to. Empty (the default): any host whose addresses are not in denied_cidrs.",
    ),
    cfg.ListOpt(
        "denied_cidrs",
        default=["127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10"],
        help="Address ranges outbound std.http / std.mistral_http / webhook requests may "
        "not reach (SSRF mitigation). The host is resolved and every one of its "
        "addresses (and those of every redirect target) is checked. The default, "
        "loopback and link-local, keeps localhost and the cloud metadata service "
        "(169.254.169.254) out of reach; add private ranges such as 10.0.0.0/8 to keep "
        "internal networks out too. An empty list turns the address check off (the "
        "http/https-only rule and allowed_hosts still apply).",
    ),
    cfg.IntOpt(
        "default_timeout",
        default=60,
        min=0,
        help="Timeout in seconds of a std.http / std.mistral_http request that sets none "
        "itself, so a slow peer cannot hold an executor thread. 0 means no timeout.",
    ),
    cfg.IntOpt(
        "max_response_size_bytes",
        default=5242880,
        min=0,
        help="Largest std.http response body accepted, in bytes: a larger Content-Length "
        "is refused before the body is read, and reading stops (the action fails) once a "
        "body without a Content-Length goes past it. 0 means no limit.",
    ),
]

openstack_actions_opts = [
    cfg.StrOpt(
        "os-actions-endpoint-type",
        default="public",
        choices=["public", "admin", "internal"],
        deprecated_group="DEFAULT",
        help="Interface of the catalog endpoints the OpenStack actions (nova.*, cinder.*, "
        "...) call.",
    ),
    cfg.ListOpt(
        "modules-support-region",
        default=["nova", "glance", "heat", "neutron", "cinder", "trove", "ironic",
                 "designate", "tacker", "aodh", "gnocchi"],
        help="OpenStack action namespaces whose actions take an 'action_region' input "
        "choosing the catalog region of the endpoint.",
    ),
    cfg.StrOpt(
        "default_region",
        help="Catalog region of the OpenStack actions when neither 'action_region' nor "
        "the request's region names one.",
    ),
]

API_GROUP = "api"
PECAN_GROUP = "pecan"
ENGINE_GROUP = "engine"
EXECUTOR_GROUP = "executor"
SCHEDULER_GROUP = "scheduler"
CRON_TRIGGER_GROUP = "cron_trigger"
EXECUTION_EXPIRATION_POLICY_GROUP = "execution_expiration_policy"
ACTION_HEARTBEAT_GROUP = "action_heartbeat"
COORDINATION_GROUP = "coordination"
NOTIFIER_GROUP = "notifier"
YAQL_GROUP = "yaql"
ACTION_STD_HTTP_GROUP = "action_std_http"
EXPRESSIONS_GROUP = "expressions"
HEALTHCHECK_GROUP = "healthcheck"
METRICS_GROUP = "metrics"
EVENT_ENGINE_GROUP = "event_engine"
SSL_GROUP = "ssl"
OPENSTACK_ACTIONS_GROUP = "openstack_actions"

_GROUPED_OPTS: tuple[tuple[str, list[cfg.Opt]], ...] = (
    (API_GROUP, api_opts),
    (PECAN_GROUP, pecan_opts),
    (ENGINE_GROUP, engine_opts),
    (EXECUTOR_GROUP, executor_opts),
    (SCHEDULER_GROUP, scheduler_opts),
    (CRON_TRIGGER_GROUP, cron_trigger_opts),
    (EXECUTION_EXPIRATION_POLICY_GROUP, execution_expiration_policy_opts),
    (ACTION_HEARTBEAT_GROUP, action_heartbeat_opts),
    (COORDINATION_GROUP, coordination_opts),
    (NOTIFIER_GROUP, notifier_opts),
    (YAQL_GROUP, yaql_opts),
    (ACTION_STD_HTTP_GROUP, action_std_http_opts),
    (EXPRESSIONS_GROUP, expressions_opts),
    (HEALTHCHECK_GROUP, healthcheck_opts),
    (EVENT_ENGINE_GROUP, event_engine_opts),
    (METRICS_GROUP, metrics_opts),
    (SSL_GROUP, ssl_opts),
    (OPENSTACK_ACTIONS_GROUP, openstack_actions_opts),
)

# Mistral options this project does not register, and why. oslo.config ignores an
# unknown option in a file, so ``mistral-server`` warns about each one a file sets.
REMOVED_OPTIONS: dict[tuple[str, str], str] = {
    ("DEFAULT", "oslo_rpc_executor"): "RPC servers always use oslo.messaging's threading "
    "executor (no eventlet): there is nothing to choose.",
    ("api", "validation_mode"): "every definition is validated on upload; a service that "
    "stored definitions unchecked would fail them at run time instead.",
    ("pecan", "root"): "the API is not a pecan application: its controller tree is fixed "
    "(mistral.api.app), there is no root controller to name.",
    ("pecan", "modules"): "the API is not a pecan application: there are no pecan modules "
    "to search.",
    ("pecan", "debug"): "an unexpected error is a 500 with an error id, never a traceback in "
    "the response; the traceback is in the service log.",
    ("engine", "engine"): "there is one engine implementation; no plugin is loaded.",
    ("engine", "version"): "the RPC version is fixed by the code, not configurable.",
    ("executor", "version"): "the RPC version is fixed by the code, not configurable.",
    ("engine", "action_definition_cache_time"): "the engine reads an ad-hoc action "
    "definition in the transaction of the event that runs it (one indexed query), so an "
    "update is seen at once; there is no stale cache to bound.",
    ("engine", "start_subworkflows_via_rpc"): "a subworkflow is created in the transaction "
    "of its parent task (both commit or neither does); a separate RPC hop would split that "
    "unit of work. Load spreads through the scheduler and the executors instead.",
    ("event_engine", "host"): "the event engine has no RPC server of its own (triggers are "
    "read from the database), so it has no node name to give.",
    ("event_engine", "topic"): "the API does not call the event engine over RPC: every event "
    "engine reads the triggers from the database ([event_engine] trigger_refresh_interval).",
    ("scheduler", "pickup_job_after"): "jobs live only in the database and any scheduler "
    "claims a due job at once (no in-memory copy gets a head start), so there is no "
    "pick-up delay to configure; [scheduler] captured_job_timeout bounds a crashed claim.",
}

CONF = cfg.CONF


def register_opts(conf: cfg.ConfigOpts = CONF) -> None:
    """Register our options, oslo.db's ``[database]`` and oslo.messaging's transport options."""
    from oslo_db import options as db_options
    import oslo_messaging

    conf.register_opts(default_opts)
    for group, opts in _GROUPED_OPTS:
        conf.register_opts(opts, group=group)
    db_options.set_defaults(conf)
    oslo_messaging.set_transport_defaults("mistral")
    # transport_url lives in oslo.messaging's own option list; registering it here
    # lets the embedded default ('fake:/') be set before any transport is built.
    from oslo_messaging import transport as _transport

    conf.register_opts(_transport._transport_opts)
    conf.set_default("transport_url", "fake:/")


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    """Entry point for ``oslo-config-generator --namespace mistral.config``."""
    return [(None, default_opts + [server_cli_opt])] + [
        (group, list(opts)) for group, opts in _GROUPED_OPTS
    ]


def set_sample_defaults() -> None:
    """Entry point (``oslo.config.opts.defaults``): our defaults for library options, so
    the generated sample shows the embedded ``fake:/`` transport, not oslo's rabbit://."""
    from oslo_messaging import transport as _transport

    cfg.set_defaults(_transport._transport_opts, transport_url="fake:/")


def default_sqlite_url(state_path: str) -> str:
    return "sqlite:///" + os.path.join(state_path, "mistral.db")


def parse_args(
    argv: Sequence[str] | None = None,
    conf: cfg.ConfigOpts = CONF,
    default_config_files: Iterable[str] | None = None,
    with_server_opt: bool = False,
) -> cfg.ConfigOpts:
    """Parse the command line and config files into ``conf`` and fill embedded defaults.

    Unset ``[database] connection`` means an SQLite file in ``state_path``.
    """
    register_opts(conf)
    if with_server_opt:
        try:
            conf.register_cli_opt(server_cli_opt)
        except cfg.ArgsAlreadyParsedError:  # pragma: no cover - re-parse in tests
            pass
    conf(
        list(argv if argv is not None else sys.argv[1:]),
        project="mistral",
        default_config_files=list(default_config_files) if default_config_files is not None else None,
    )
    if not conf.database.connection:
        conf.set_default("connection", default_sqlite_url(conf.state_path), group="database")
    return conf


def database_options(conf: cfg.ConfigOpts = CONF) -> dict:
    """Keyword arguments for ``mistral.db.api.Database`` from ``[database]`` and ``[engine]``.

    ``Database(**database_options(conf))``: the URL, oslo.db's engine options and the
    runtime field size limit.
    """
    db = conf.database
    return {
        "url": db.connection,
        "field_size_limit_kb": conf.engine.execution_field_size_limit_kb,
        "max_pool_size": db.max_pool_size,
        "max_overflow": db.max_overflow,
        "pool_timeout": db.pool_timeout,
        "connection_recycle_time": db.connection_recycle_time,
        "max_retries": db.max_retries,
        "retry_interval": db.retry_interval,
        "sqlite_synchronous": db.sqlite_synchronous,
        "connection_debug": db.connection_debug,
    }


AUTHTOKEN_GROUP = "keystone_authtoken"


def service_credentials(conf: cfg.ConfigOpts = CONF) -> Any:
    """Mistral's service user for Keystone trusts (``mistral.services.trusts``): the
    ``[keystone_authtoken]`` auth plugin keystonemiddleware logs in with, as a
    ``ServiceCredentials``; None with auth off or without an ``auth_type``."""
    from keystoneauth1 import loading

    from mistral.api.auth import register_opts
    from mistral.services.trusts import ServiceCredentials

    if not conf.pecan.auth_enable:
        return None
    register_opts(conf)
    group = conf[AUTHTOKEN_GROUP]
    if not group.auth_type:
        return None
    plugin_opts = loading.get_auth_plugin_conf_options(group.auth_type)
    conf.register_opts(plugin_opts, group=AUTHTOKEN_GROUP)
    options = {o.dest: group[o.dest] for o in plugin_opts}
    auth_url = options.get("auth_url") or group.www_authenticate_uri
    if not auth_url:
        return None
    verify: bool | str = False if group.insecure else (group.cafile or True)
    return ServiceCredentials(auth_type=group.auth_type, options=options, auth_url=auth_url,
                              verify=verify, timeout=float(group.http_connect_timeout or 30))
