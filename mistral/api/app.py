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
from typing import Any

import pecan
import pecan.util
from webob import Request, Response

from mistral.api import errors, hooks
from mistral.api.controllers.root import RootController
from mistral.api.services import ApiServices, ApiSettings
from mistral.engine.interface import Engine

__all__ = ["ApiServices", "ApiSettings", "make_app"]

LOG = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def _memoize_argspecs() -> None:
    """pecan looks up a controller method's argument spec several times per request and
    builds a new ``namedtuple`` class each time (``pecan.compat.getargspec``): a fifth of
    a request's CPU. The spec of a function never changes, so it is kept per function."""
    original = pecan.util._getargspec
    if getattr(original, "memoized", False):
        return
    cache: dict[Any, Any] = {}

    def getargspec(func: Any) -> Any:
        key = getattr(func, "__func__", func)
        try:
            return cache[key]
        except (KeyError, TypeError):
            spec = original(func)
            try:
                cache[key] = spec
            except TypeError:  # unhashable: not kept
                pass
            return spec

    getargspec.memoized = True  # type: ignore[attr-defined]
    pecan.util._getargspec = getargspec


_memoize_argspecs()


def _warm_up() -> None:
    """Build the YAQL parser tables now rather than in the first definition upload."""
    from mistral import expressions

    expressions.validate("<% $ %>")


def _default_rehearsal(services: ApiServices) -> Any:
    from mistral.engine.rehearsal import Rehearsal
    from mistral.engine.settings import EngineSettings
    from mistral.expressions.settings import ExpressionSettings

    languages = frozenset(services.settings.allowed_languages)
    return Rehearsal(services.db, settings=EngineSettings(
        expressions=ExpressionSettings(allowed_languages=languages)))  # type: ignore[arg-type]


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
    _warm_up()
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

