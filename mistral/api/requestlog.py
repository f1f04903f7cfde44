"""One log line per API request, and the request id bound for everything logged meanwhile.

``with_request_log(app)`` is the outermost WSGI layer of the API (``mistral-server`` and
``mistral.wsgi`` put it there, outside authentication, the healthcheck and ``/metrics``)::

    INFO mistral.api.request [- req-1f0c... - -] GET /v2/executions?limit=5 200 0.012s req-1f0c...

The request id is the client's ``X-Openstack-Request-Id`` (or ``X-Request-Id``) or a new
``req-<uuid>``; it is set on the environ so the API's own layer uses the same one in its
answer header and in the request context it passes to the engine, and it is bound with
``mistral.utils.logcontext`` while the request runs. The duration is from the call until
the body has been produced (``close()`` of the answer), the status is the one sent.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mistral.utils import logcontext

LOG = logging.getLogger("mistral.api.request")

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]
#: called with (method, path template-free path, status, seconds) after each request
Observer = Callable[[str, str, int, float], None]


def request_id(environ: dict) -> str:
    """The request's id (the client's or a new one), stored in ``environ``."""
    rid = environ.get("HTTP_X_OPENSTACK_REQUEST_ID") or environ.get("HTTP_X_REQUEST_ID")
    if not rid or len(rid) > 64 or not rid.isprintable():
        rid = f"req-{uuid.uuid4()}"
    environ["HTTP_X_OPENSTACK_REQUEST_ID"] = rid
    return rid


class _Body:
    """Iterates the inner answer under the bound request id; logs once, on close."""

    def __init__(self, inner: Iterable[bytes], done: Callable[[], None], rid: str) -> None:
        self._inner = inner
        self._done = done
        self._rid = rid

    def __iter__(self) -> Iterator[bytes]:
        with logcontext.bound(self._rid):
            yield from self._inner

    def close(self) -> None:
        try:
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


def with_request_log(app: WSGIApp, observe: Observer | None = None) -> WSGIApp:
    """``app`` logging one line per request on ``mistral.api.request`` (INFO)."""

    def logged(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        rid = request_id(environ)
        method = environ.get("REQUEST_METHOD", "-")
        path = environ.get("PATH_INFO", "") or "/"
        query = environ.get("QUERY_STRING", "")
        status = [500]
        logged_once = [False]

        def recording_start_response(st: str, headers: list, exc_info: Any = None) -> Any:
            try:
                status[0] = int(st.split(" ", 1)[0])
            except ValueError:
                pass
            return start_response(st, headers, exc_info) if exc_info else start_response(st, headers)

        def done() -> None:
            if logged_once[0]:
                return
            logged_once[0] = True
            took = time.monotonic() - started
            with logcontext.bound(rid):
                LOG.info("%s %s%s %d %.3fs %s", method, path, f"?{query}" if query else "",
                         status[0], took, rid)
            if observe is not None:
                try:
                    observe(method, path, status[0], took)
                except Exception:  # noqa: BLE001 - metrics never break a request
                    LOG.debug("request observer failed", exc_info=True)

        with logcontext.bound(rid):
            try:
                inner = app(environ, recording_start_response)
            except BaseException:
                status[0] = 500
                done()
                raise
        return _Body(inner, done, rid)

    return logged
