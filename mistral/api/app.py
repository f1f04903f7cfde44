"""The WSGI application: ``make_app(services)``.

Everything the controllers need arrives in ``ApiServices`` (the ``Database``, an
``Engine`` — local or RPC client — the settings, and two listers: live service members
for ``/v2/services`` and Python action definitions for ``/v2/actions``). No globals: the
composition root (``mistral/cmd``) or a test builds them and passes them in.

Around pecan sits one small WSGI layer (``_Guard``) that tags every answer with an
``X-Openstack-Request-Id`` (the client's or a new one, also in the request context); with
``[pecan] auth_enable``,
answers 401 unless the authentication middleware in front of it (keystonemiddleware's
``auth_token``, added by the composition root) confirmed the caller's identity
(``X-Identity-Status: Confirmed``); refuses oversized bodies with 413 before they are
read; turns pecan's own HTML errors (unknown route, wrong method) into Mistral's JSON
fault body; and answers 500 with a fault body if anything escapes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pecan
from webob import Request, Response

from mistral.api import errors, hooks
from mistral.api.controllers.root import RootController
from mistral.engine.interface import Engine

LOG = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


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


def _default_rehearsal(services: "ApiServices") -> Any:
    from mistral.engine.rehearsal import Rehearsal
    from mistral.engine.settings import EngineSettings
    from mistral.expressions.settings import ExpressionSettings

    languages = frozenset(services.settings.allowed_languages)
    return Rehearsal(services.db, settings=EngineSettings(
        expressions=ExpressionSettings(allowed_languages=languages)))  # type: ignore[arg-type]


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


class _Guard:
    """Body-size limit, JSON faults for pecan's own errors, last-resort 500."""

    def __init__(self, app: WSGIApp, max_body_kb: int, auth_enable: bool = False) -> None:
        self.app = app
        self.max_body = max_body_kb * 1024
        self.auth_enable = auth_enable

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        rid = environ.get("HTTP_X_OPENSTACK_REQUEST_ID") or f"req-{uuid.uuid4()}"
        environ["HTTP_X_OPENSTACK_REQUEST_ID"] = rid
        head = environ.get("REQUEST_METHOD") == "HEAD"
        if head:  # HEAD is GET without the body
            environ["REQUEST_METHOD"] = "GET"
        resp = self._respond(environ)
        resp.headers["X-Openstack-Request-Id"] = rid
        if head:
            length = resp.content_length
            resp.app_iter = [b""]
            resp.content_length = length
        return resp(environ, start_response)

    def _respond(self, environ: dict) -> Response:
        req = Request(environ)
        if self.auth_enable and req.path not in ("", "/") and (
            req.headers.get("X-Identity-Status", "").lower() != "confirmed"
        ):
            return errors.fault_response(
                401, "Authentication required: the request carries no confirmed identity."
            )
        length = req.content_length
        if length is not None and length > self.max_body:
            return errors.fault_response(
                413, f"Request body is larger than the limit of {self.max_body // 1024} KiB."
            )
        if length is None and req.method in ("POST", "PUT", "PATCH") and (
            environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
        ):
            body = req.body_file.read(self.max_body + 1)
            if len(body) > self.max_body:
                return errors.fault_response(
                    413, f"Request body is larger than the limit of {self.max_body // 1024} KiB."
                )
            req.body = body
        # Every answer is JSON whatever the client accepts; pecan would negotiate on
        # Accept and refuse 'application/json' (406) for handlers exposed without a type.
        environ.pop("HTTP_ACCEPT", None)
        ctype = environ.get("CONTENT_TYPE", "")
        base = ctype.split(";")[0].strip().lower()
        if base in _PECAN_PARSED or base.startswith("multipart/"):
            # pecan would json-decode the body itself (again, and without our error
            # handling), and webob parses form bodies (a multipart type without a
            # boundary raises); hide the type from it, the controllers read the original.
            environ["mistral.content_type"] = ctype
            environ["CONTENT_TYPE"] = "application/x-mistral-body"
        try:
            resp = req.get_response(self.app)
        except Exception as e:  # pragma: no cover - controllers already catch
            resp = errors.response_for_exception(e)
        if resp.status_code >= 400 and not (resp.content_type or "").endswith("json"):
            resp = errors.fault_response(resp.status_code, _plain_message(req, resp))
        return resp


_PECAN_PARSED = ("application/json", "application/javascript",
                 "application/x-www-form-urlencoded")


def _plain_message(req: Request, resp: Any) -> str:
    if resp.status_code == 404:
        return f"Resource not found: no route for {req.method} {req.path}."
    if resp.status_code == 405:
        return f"Method {req.method} is not allowed on {req.path}."
    return resp.status


def make_app(
    services: ApiServices | None = None,
    *,
    db: Any = None,
    engine: Engine | None = None,
    settings: ApiSettings | None = None,
    list_services: Callable[[], Sequence[Any]] | None = None,
    list_system_actions: Callable[[], Sequence[Any]] | None = None,
) -> WSGIApp:
    """Build the WSGI app from its dependencies (an ``ApiServices`` or the parts)."""
    if services is None:
        if db is None or engine is None:
            raise TypeError("make_app needs services=ApiServices(...) or db= and engine=")
        services = ApiServices(
            db=db,
            engine=engine,
            settings=settings or ApiSettings(),
            list_services=list_services or _no_services,
            list_system_actions=list_system_actions or _no_services,
        )
    if services.rehearsal is None:
        services.rehearsal = _default_rehearsal(services)
    app = pecan.Pecan(
        RootController(),
        hooks=[hooks.ServicesHook(services)],
        force_canonical=False,
        guess_content_type_from_ext=False,
    )
    return _Guard(app, services.settings.max_request_body_size_kb,
                  services.settings.auth_enable)

