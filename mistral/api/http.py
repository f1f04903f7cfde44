"""Request/response plumbing shared by every controller.

``expose(status)`` turns a controller method into a pecan handler that returns JSON with
that status (or an empty 204), and renders any exception through ``mistral.api.errors``.
``json_body()`` / ``text_body()`` read the request body with the checks every endpoint
needs: content type, size, encoding, JSON syntax and shape. ``services()`` and ``ctx()``
give a controller what the app was built with and who is asking; they are attached to
the request by ``mistral.api.hooks``.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pecan
from webob import Response

from mistral import exceptions as exc
from mistral.api import errors
from mistral.context import RequestContext

if TYPE_CHECKING:  # pragma: no cover
    from mistral.api.services import ApiServices

JSON_TYPES = ("application/json", "")
TEXT_TYPES = (
    "text/plain",
    "application/x-yaml",
    "application/yaml",
    "text/yaml",
    "text/x-yaml",
    "application/json",
    "application/x-www-form-urlencoded",  # what `curl -d @file.yaml` sends
    "",
)


def services() -> "ApiServices":
    return pecan.request.mistral_services


def ctx() -> RequestContext:
    return pecan.request.mistral_context


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        status=status,
        body=json.dumps(data).encode("utf-8"),
        content_type="application/json",
        charset="UTF-8",
    )


def expose(
    status: int = 200, only: str | None = None, plain: bool = False, nulls: bool = True,
    plain_errors: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Expose a controller method; its return value is sent as JSON with ``status``.

    ``only`` restricts a plain (non-REST) handler to one HTTP method; others get 405.
    ``plain`` marks a definition upload (Mistral's text/plain handlers): as Mistral 23
    answers them, a created resource leaves out a null ``updated_at`` (an updated one
    shows it) and an error body is only
    ``{"faultstring": ...}``. ``plain_errors``: only the latter (Mistral 23's member API
    answers its errors so). ``nulls=False``: the answer leaves out null fields (Mistral
    23's JSON create answers, built from the new row, have none).
    """

    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        low, high = _arity(fn)

        @functools.wraps(fn)
        def handler(self: Any, *args: str, **kwargs: Any) -> Response:
            if not low <= len(args) <= high:
                return _no_route()
            if any("\x00" in a for a in args):
                return errors.fault_response(400, "The URL path contains a NUL character.")
            if only is not None and pecan.request.method != only:
                return errors.fault_response(
                    405, f"Method {pecan.request.method} is not allowed on {pecan.request.path}."
                )
            try:
                result = fn(self, *args)
            except Exception as e:  # every error becomes a fault body, never a traceback
                return errors.response_for_exception(e, plain=plain or plain_errors)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(status=204)
            if plain and status == 201:
                result = _without_nulls(result, only=("updated_at",))
            elif not nulls:
                result = _without_nulls(result)
            return json_response(result, status)

        handler._mistral_status = status  # type: ignore[attr-defined]
        return pecan.expose()(handler)

    return decorator


def _without_nulls(result: Any, only: tuple[str, ...] | None = None) -> Any:
    """A resource (or each resource of a list) without its null fields (``only`` those)."""
    if not isinstance(result, dict):
        return result
    if len(result) == 1 and isinstance(next(iter(result.values())), list):
        key, items = next(iter(result.items()))
        return {key: [_without_nulls(i, only) for i in items]}
    return {k: v for k, v in result.items() if v is not None or (only and k not in only)}


def _arity(fn: Callable[..., Any]) -> tuple[int, int]:
    """How many path segments a handler takes (positional parameters after self)."""
    params = [
        p for p in list(inspect.signature(fn).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = sum(1 for p in params if p.default is p.empty)
    return required, len(params)


def _no_route() -> Response:
    method, path = pecan.request.method, pecan.request.path
    if method == "GET":
        return errors.fault_response(404, f"Resource not found: no route for GET {path}.")
    return errors.fault_response(405, f"Method {method} is not allowed on {path}.")


def _content_type() -> str:
    raw = pecan.request.environ.get("mistral.content_type") or pecan.request.content_type
    return (raw or "").split(";")[0].strip().lower()


def _raw_body() -> bytes:
    body = pecan.request.body
    limit_kb = services().settings.max_request_body_size_kb
    if len(body) > limit_kb * 1024:
        raise errors.ApiError(413, f"Request body is larger than the limit of {limit_kb} KiB.")
    return body


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise errors.bad_request(f"Request body is not valid UTF-8 (byte {e.start}).") from None


def text_body(allow_empty: bool = False, types: tuple[str, ...] = TEXT_TYPES) -> str:
    """The body of a definition upload (YAML or JSON text); empty is refused unless
    ``allow_empty`` (an empty Python module is a valid code source)."""
    ctype = _content_type()
    if ctype not in types:
        raise errors.bad_request(
            f"Unsupported content type '{ctype}': send the definition as text/plain."
        )
    text = _decode(_raw_body())
    if not text.strip() and not allow_empty:
        raise errors.bad_request("The definition is empty: send it as the request body.")
    return text


MAX_JSON_DEPTH = 100


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: valid JSON syntax, but no number anything can store
        raise ValueError(f"{text[:20]} is out of range")
    return value


def parse_json(text: str, what: str) -> Any:
    """JSON a client sent, or a 400 starting with ``what``: malformed, NaN/Infinity, an
    integer Python will not convert, or nested deeper than ``MAX_JSON_DEPTH`` (deeper data
    overflowed the stack later, in the engine or YAQL, as a 500)."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as e:
        raise errors.bad_request(f"{what}: {e.msg} (line {e.lineno}, column {e.colno}).") from None
    except ValueError as e:
        raise errors.bad_request(f"{what}: {str(e).split(';')[0]}.") from None
    except RecursionError:
        data = None
        depth_ok = False
    else:
        depth_ok = _depth_ok(data)
    if not depth_ok:
        raise errors.bad_request(f"{what}: nested deeper than {MAX_JSON_DEPTH} levels.")
    return data


def _depth_ok(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                return False
            stack.extend((c, depth + 1) for c in (node.values() if isinstance(node, dict)
                                                   else node))
    return True


def json_body() -> dict[str, Any]:
    """The request body as a JSON object; anything else is a 400 (415 for another content
    type) that says what is wrong."""
    ctype = _content_type()
    if ctype not in JSON_TYPES:  # 415, as Mistral 23
        raise errors.ApiError(
            415, f"Unsupported content type '{ctype}': send the body as application/json."
        )
    text = _decode(_raw_body())
    if not text.strip():
        raise errors.bad_request("The request body is empty: a JSON object is required.")
    data = parse_json(text, "Malformed JSON in request body")
    if not isinstance(data, dict):
        raise errors.bad_request(
            f"The request body must be a JSON object, not {type(data).__name__}."
        )
    refuse_bad_strings(data)
    return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_string(text: str) -> str | None:
    """What is wrong with a string no store takes: a NUL, or a lone UTF-16 surrogate
    (JSON's ``"\\ud800"`` escape, which no UTF-8 text can hold)."""
    if "\x00" in text:
        return "contains a NUL character"
    found = _SURROGATE.search(text)
    if found:
        return f"contains a lone surrogate (U+{ord(found.group()):04X}), which is not valid Unicode"
    return None


def refuse_bad_strings(data: Any, base: str = "") -> None:
    """Every string and key in ``data`` must be storable: else a 400 naming the field
    (``base`` is where ``data`` came from, e.g. the field a JSON string was parsed from)."""
    stack: list[tuple[str, Any]] = [(base, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = _bad_string(value)
            if problem:
                raise errors.bad_request(f"Field '{path or '<body>'}' {problem}.")
        elif isinstance(value, dict):
            for k, v in value.items():
                problem = _bad_string(k) if isinstance(k, str) else None
                if problem:
                    raise errors.bad_request(f"A key in '{path or '<body>'}' {problem}.")
                stack.append((f"{path}.{k}" if path else k, v))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))


def query() -> dict[str, str]:
    """Query parameters (the last value wins when one is repeated); no NUL characters."""
    params = dict(pecan.request.GET.items())
    for key, value in params.items():
        if "\x00" in key or "\x00" in value:
            raise errors.bad_request(f"Query parameter '{key!r:.40}' contains a NUL character.")
    return params


def query_all(name: str) -> list[str]:
    """Every value of a repeated query parameter."""
    return list(pecan.request.GET.getall(name))


def query_bool(name: str, default: bool = False) -> bool:
    value = pecan.request.GET.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise errors.bad_request(f"Query parameter '{name}' must be true or false, not '{value}'.")


def query_int(name: str, default: int | None = None) -> int | None:
    value = pecan.request.GET.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise errors.bad_request(
            f"Query parameter '{name}' must be an integer, not '{value}'."
        ) from None


def query_depth() -> int:
    """``max_depth`` of tree queries: -1 (the default) means unlimited."""
    depth = query_int("max_depth", -1)
    return -1 if depth is None else depth


def host_url() -> str:
    return pecan.request.host_url


def read_tx() -> Any:
    """A read-only transaction in the caller's context."""
    return services().db.transaction(ctx(), readonly=True)


def write_tx() -> Any:
    """A read-write transaction in the caller's context (commits on success)."""
    return services().db.transaction(ctx())


def rehearsal() -> Any:
    """The rehearsal runner (``mistral.engine.rehearsal.Rehearsal``)."""
    return services().rehearsal


def engine() -> Any:
    """The engine (local or RPC client); 503 when the app was built without one."""
    eng = services().engine
    if eng is None:
        raise exc.ServiceUnavailableError("No engine is available to run executions.")
    return eng
