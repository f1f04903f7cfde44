"""Keystone authentication in front of the API (``[pecan] auth_enable = True``).

The composition root wraps the WSGI app in keystonemiddleware's ``auth_token``
configured from ``[keystone_authtoken]`` — the same options as Mistral's
(``www_authenticate_uri``, ``auth_url``, ``auth_type``, ``username``, ``password``,
``project_name``, ... registered by keystonemiddleware itself on our ``ConfigOpts``).
It validates the ``X-Auth-Token`` of each request with Keystone and passes on the identity
as ``X-Identity-Status`` / ``X-Project-Id`` / ``X-User-Id`` / ``X-Roles`` headers, from
which ``mistral.api.hooks`` builds the request context. A missing or invalid token is a
401 from the middleware, with its ``WWW-Authenticate`` header.

The version document at ``/`` stays public, as the app's own guard keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from oslo_config import cfg

AUTHTOKEN_GROUP = "keystone_authtoken"
PUBLIC_PATHS = ("", "/")

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """keystonemiddleware's ``[keystone_authtoken]`` options (for registering and docs)."""
    from keystonemiddleware.auth_token import _opts

    return [(group, list(opts)) for group, opts in _opts.list_opts()]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register ``[keystone_authtoken]`` on ``conf`` (the middleware also does it itself)."""
    for group, opts in list_opts():
        conf.register_opts(opts, group=group)


class _PublicRoot:
    """Serve the public paths straight from the app; everything else through ``auth``."""

    def __init__(self, app: WSGIApp, auth: WSGIApp) -> None:
        self.app = app
        self.auth = auth

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") in PUBLIC_PATHS:
            return self.app(environ, start_response)
        return self.auth(environ, start_response)


def with_keystone(app: WSGIApp, conf: cfg.ConfigOpts) -> WSGIApp:
    """``app`` behind keystonemiddleware's ``auth_token``, configured from ``conf``."""
    from keystonemiddleware import auth_token

    register_opts(conf)
    middleware = auth_token.AuthProtocol(app, {"oslo_config_config": conf})
    return _PublicRoot(app, middleware)
