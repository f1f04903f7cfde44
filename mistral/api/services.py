"""What the API app is built from: ``ApiSettings`` (its share of the configuration, as
plain values) and ``ApiServices`` (the database, the engine and the callables it serves
from). Plain data, so the app's modules name them without importing the app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mistral.engine.interface import Engine


@dataclass(frozen=True)
class ApiSettings:
    """The API's share of the configuration, as plain values."""

    auth_enable: bool = False
    max_request_body_size_kb: int = 2048
    max_limit: int = 1000
    default_list_limit: int | None = None
    max_definition_size_kb: int = 1024
    max_definition_depth: int = 64
    allow_action_execution_deletion: bool = False
    #: ``[expressions] allowed_languages``: a definition using another one is a 400
    allowed_languages: tuple[str, ...] = ("yaql", "jinja")
    #: with auth on, what the request context tells OpenStack actions about Keystone:
    #: ``[keystone_authtoken] www_authenticate_uri`` (else ``auth_url``), ``cafile``,
    #: ``region_name`` (a request's ``X-Region-Name`` header wins)
    auth_uri: str | None = None
    auth_cacert: str | None = None
    region_name: str | None = None

    @classmethod
    def from_conf(cls, conf: Any) -> "ApiSettings":
        """Build from an oslo.config object (the caller owns reading the config)."""
        return cls(
            auth_enable=conf.pecan.auth_enable,
            max_request_body_size_kb=conf.api.max_request_body_size_kb,
            max_limit=conf.api.max_limit,
            default_list_limit=conf.api.default_list_limit,
            max_definition_size_kb=conf.max_definition_size_kb,
            max_definition_depth=conf.max_definition_depth,
            allow_action_execution_deletion=conf.api.allow_action_execution_deletion,
            allowed_languages=tuple(conf.expressions.allowed_languages),
            **_keystone_settings(conf),
        )


def _keystone_settings(conf: Any) -> dict[str, Any]:
    if not conf.pecan.auth_enable:
        return {}
    from oslo_config import cfg

    from mistral.api.auth import register_opts

    register_opts(conf)
    ks = conf.keystone_authtoken
    try:  # auth_url belongs to the password plugin: registered once the middleware loads it
        auth_url = ks.auth_url
    except cfg.NoSuchOptError:
        auth_url = None
    return {"auth_uri": ks.www_authenticate_uri or auth_url, "auth_cacert": ks.cafile,
            "region_name": ks.region_name}


def _no_services() -> Sequence[Any]:
    return ()


@dataclass
class ApiServices:
    """What the API is built from.

    ``list_services()`` returns live members as objects or mappings with ``name`` and
    ``type``. ``list_system_actions()`` returns Python action definitions as objects or
    mappings with ``name`` and optionally ``description``, ``input`` (the parameter
    string, e.g. ``"url, method=GET"``), ``tags``.
    """

    db: Any
    engine: Engine
    settings: ApiSettings = field(default_factory=ApiSettings)
    list_services: Callable[[], Sequence[Any]] = _no_services
    list_system_actions: Callable[[], Sequence[Any]] = _no_services
    # mistral.api.policy.Policy (the operator's policy file); None: the defaults
    policy: Any = None
    # mistral.engine.rehearsal.Rehearsal for POST /v2/rehearsals; None: one built by
    # make_app over ``db`` with the default engine settings (tests)
    rehearsal: Any = None
    # mistral.services.trusts.KeystoneTrusts: with auth on, a trigger's trust to the
    # service user; None: triggers keep their creator's context without a trust
    trusts: Any = None
