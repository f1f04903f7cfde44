"""``[healthcheck] enabled``: oslo.middleware's healthcheck answering ``GET /healthcheck``.

Mounted by the composition root outside authentication, as Mistral does: the endpoint
is unauthenticated. Only the exact path ``/healthcheck`` reaches the healthcheck (recent
oslo.middleware versions answer every path they are wrapped around); everything else
goes to the API unchanged. The healthcheck's own options (``detailed``, ``backends``,
``disable_by_file_path``, ``allowed_source_ranges`` ...) are read from the same
``[healthcheck]`` group of ``conf``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from oslo_config import cfg

PATH = "/healthcheck"

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def with_healthcheck(app: WSGIApp, conf: cfg.ConfigOpts) -> WSGIApp:
    """``app`` with ``/healthcheck`` served by oslo.middleware's ``Healthcheck``."""
    from oslo_middleware import healthcheck

    check = healthcheck.Healthcheck(app, conf)

    def dispatch(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") == PATH:
            return check(environ, start_response)
        return app(environ, start_response)

    return dispatch
