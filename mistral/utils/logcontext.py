"""Request ids on log lines: the API's request id follows its work into engine and executor logs.

``with bound(ctx):`` marks every log record emitted by the current thread (or task)
inside the block with that ``RequestContext``'s ``request_id``, user and project;
``install()`` adds the filter that does so to the root logger's handlers. The record gets
``record.context`` as a mapping (what oslo.log's ``ContextFormatter`` reads: with a
``request_id`` it formats with ``[DEFAULT] logging_context_format_string``, so lines look
like Mistral's ``... [- req-... user project - - -] message``) and ``record.request_id``
for plain ``logging`` formats.

The request id travels with the ``RequestContext`` that every RPC call carries; the RPC
endpoints, the executor's action threads and the API bind it, so the lines an execution
produces in the engine and executor processes carry the id of the request that started
it. This is a logging label only: nothing reads it to decide anything (the context
itself is still passed explicitly, HACKING.rst).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

_CURRENT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "mistral_log_context", default=None
)


def _values(ctx: Any) -> dict[str, Any] | None:
    if ctx is None:
        return None
    if isinstance(ctx, str):
        return {"request_id": ctx}
    rid = getattr(ctx, "request_id", None)
    if not rid:
        return None
    values = {
        "request_id": rid,
        "user": getattr(ctx, "user_id", None),
        "project": getattr(ctx, "project_id", None),
        "user_name": getattr(ctx, "user_name", None),
        "project_name": getattr(ctx, "project_name", None),
    }
    return {k: v for k, v in values.items() if v is not None}


@contextlib.contextmanager
def bound(ctx: Any) -> Iterator[None]:
    """Label log records inside the block with ``ctx`` (a ``RequestContext``, a request id
    string, or ``None`` for no label)."""
    token = _CURRENT.set(_values(ctx))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_request_id() -> str | None:
    values = _CURRENT.get()
    return values.get("request_id") if values else None


class ContextFilter(logging.Filter):
    """Puts the bound request's values on each record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = _CURRENT.get()
        if values and "context" not in record.__dict__:
            record.context = dict(values)
        if not hasattr(record, "request_id"):
            record.request_id = (values or {}).get("request_id") or "-"
        return True


_FILTER = ContextFilter()


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (the root logger by default).

    Called after logging is configured (``oslo_log.log.setup``); idempotent."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
