"""Everything that crosses the wire, turned into plain JSON-able values in one place.

* the request context: ``RequestContext`` <-> dict (``ContextSerializer``, plugged into
  oslo.messaging so endpoints receive a ``RequestContext``);
* the typed calls (``mistral.engine.interface.Call``: ``StartWorkflowCall`` ...,
  carrying ``RunActionRequest`` / ``ActionResult``) <-> ``{"call": name, "args": {...}}``
  (``encode`` / ``decode``);
* replies: an endpoint never lets an exception escape to oslo.messaging. It answers
  ``{"result": value}`` or ``{"failure": {...}}`` and the client turns a failure back
  into the same ``mistral.exceptions`` class (or the nearest base class it knows).
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Iterable
from typing import Any

import oslo_messaging
from oslo_serialization import jsonutils

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.engine.interface import Call
from mistral.utils import logcontext

LOG = logging.getLogger(__name__)


class ContextSerializer(oslo_messaging.Serializer):
    """Carries ``RequestContext`` as a dict; payload entities are already plain values."""

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return entity

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return entity

    def serialize_context(self, ctxt: Any) -> dict:
        if isinstance(ctxt, RequestContext):
            return ctxt.to_dict()
        return dict(ctxt or {})

    def deserialize_context(self, ctxt: Any) -> RequestContext:
        if isinstance(ctxt, RequestContext):
            return ctxt
        return RequestContext.from_dict(dict(ctxt or {}))


_PLAIN = frozenset((str, int, float, bool, type(None)))


def to_primitive(value: Any) -> Any:
    """Make a value JSON-safe (datetimes become ISO strings, tuples lists, ...). Plain
    JSON data (what the engine sends nearly always) is walked without oslo's per-value
    checks; anything else goes through ``jsonutils.to_primitive``."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k: to_primitive(v) for k, v in value.items()}
    if kind is list:
        return [to_primitive(v) for v in value]
    return jsonutils.to_primitive(value, convert_instances=True, convert_datetime=True)


_NESTED: dict[type, dict[str, Any]] = {}


def _nested(cls: type) -> dict[str, tuple[Any, bool]]:
    """The fields of a call that hold a typed payload (``ActionResult`` ...) or a list of
    them: name -> (payload class, is a list)."""
    found = _NESTED.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = {}
        for f in dataclasses.fields(cls):
            hint = hints.get(f.name)
            args = typing.get_args(hint)
            if dataclasses.is_dataclass(hint):
                found[f.name] = (hint, False)
            elif typing.get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
                found[f.name] = (args[0], True)
        _NESTED[cls] = found
    return found


def encode(call: Call) -> dict[str, Any]:
    """A typed call as plain values: ``{"call": class name, "args": {field: value}}``."""
    args = call.arguments()
    for name, (_, many) in _nested(type(call)).items():
        value = args[name]
        if value is None:
            continue
        args[name] = [v.to_dict() for v in value] if many else value.to_dict()
    return {"call": type(call).__name__, "args": to_primitive(args)}


def decode(payload: Any, calls: Iterable[type[Call]]) -> Call:
    """The typed call ``encode`` made (one of ``calls``); a malformed one is a
    ``MistralError`` naming what is wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("args"), dict):
        raise exc.MistralError(f"Malformed RPC call: {payload!r:.200}")
    cls = next((c for c in calls if c.__name__ == payload.get("call")), None)
    if cls is None:
        raise exc.MistralError(f"Unknown RPC call {payload.get('call')!r}")
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    args = {k: v for k, v in payload["args"].items() if k in known}
    for name, (kind, many) in _nested(cls).items():
        value = args.get(name)
        if many and isinstance(value, list):
            args[name] = [kind.from_dict(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            args[name] = kind.from_dict(value)
    try:
        return cls(**args)
    except TypeError as e:
        raise exc.MistralError(f"Malformed RPC call {cls.__name__}: {e}") from None


def encode_exception(error: BaseException) -> dict:
    """A failure as a value: class name, the names of its base classes, message, extras."""
    mro = [k.__name__ for k in type(error).__mro__ if issubclass(k, exc.MistralError)]
    failure: dict[str, Any] = {
        "type": type(error).__name__,
        "mro": mro,
        "message": str(error),
    }
    if isinstance(error, exc.DSLError):
        failure["errors"] = [
            {"path": p.path, "message": p.message, "line": p.line} for p in error.errors
        ]
    if isinstance(error, exc.DuplicateEntryError):
        failure["columns"] = list(error.columns)
    return failure


def _known_class(name: str) -> type[exc.MistralError] | None:
    klass = getattr(exc, name, None)
    if isinstance(klass, type) and issubclass(klass, exc.MistralError):
        return klass
    return None


def decode_exception(failure: dict) -> exc.MistralError:
    """Rebuild the exception an endpoint raised; unknown classes map to their nearest known base."""
    klass: type[exc.MistralError] = exc.MistralError
    for name in [failure.get("type", "")] + list(failure.get("mro") or []):
        found = _known_class(str(name))
        if found is not None:
            klass = found
            break
    message = str(failure.get("message") or "")
    if issubclass(klass, exc.DSLError):
        problems = [
            exc.DSLProblem(path=p.get("path", ""), message=p.get("message", ""), line=p.get("line"))
            for p in failure.get("errors") or []
        ]
        return klass(message, errors=problems)
    if issubclass(klass, exc.DuplicateEntryError):
        return klass(message, columns=tuple(failure.get("columns") or ()))
    try:
        return klass(message)
    except TypeError:  # a subclass with a different constructor
        return exc.MistralError(message)


def ok_reply(value: Any) -> dict:
    return {"result": to_primitive(value)}


def failure_reply(error: BaseException) -> dict:
    return {"failure": encode_exception(error)}


def unwrap_reply(reply: Any) -> Any:
    """The value of an endpoint's reply, or raise the domain error it carries."""
    if not isinstance(reply, dict) or not ({"result", "failure"} & reply.keys()):
        raise exc.MistralError(f"Malformed RPC reply: {reply!r:.200}")
    if reply.get("failure") is not None:
        raise decode_exception(reply["failure"])
    return reply.get("result")


def guarded_call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict:
    """Run an endpoint's delegate and turn its outcome into a reply value.

    Domain errors are expected and logged briefly; anything else is a bug on this side,
    logged with its traceback and sent as a plain ``MistralError`` (never a traceback).
    What is logged meanwhile carries the caller's request id (``mistral.utils.logcontext``).
    """
    if not (args and isinstance(args[0], RequestContext)):
        return _guarded(what, fn, *args, **kwargs)  # the caller bound its context itself
    with logcontext.bound(args[0]):
        return _guarded(what, fn, *args, **kwargs)


def _guarded(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict:
    try:
        return ok_reply(fn(*args, **kwargs))
    except exc.MistralError as e:
        LOG.info("%s failed: %s: %s", what, type(e).__name__, e)
        return failure_reply(e)
    except Exception as e:  # noqa: BLE001 - the wire gets a value, the log the traceback
        LOG.exception("Unexpected error in %s", what)
        return failure_reply(exc.MistralError(f"Internal error in {what}: {type(e).__name__}: {e}"))
