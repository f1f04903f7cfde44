"""Small helpers: deep freeze / thaw, and the inline ``name key=value ...`` syntax."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import yaml

from mistral.exceptions import DSLError, SizeLimitExceededError
from mistral.lang import loader


def clip(text: str, limit: int = 80) -> str:
    """``text`` shortened for an error message."""
    return text if len(text) <= limit else text[:limit] + "..."


def freeze(value: Any) -> Any:
    """Dicts become read-only mappings and lists tuples, recursively."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of ``freeze``: plain dicts and lists, ready for JSON."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


_NAME_RE = re.compile(r"\s*([^\s=]+)")
_KEY_RE = re.compile(r"\s*([\w\-]+)\s*=\s*")
_CLOSERS = {"<%": "%>", "{{": "}}"}


class InlineSyntaxError(ValueError):
    """The inline parameters cannot be parsed; the message says where."""


def _scan_balanced(text: str, pos: int) -> int:
    """End index (exclusive) of the bracketed JSON/YAML value starting at ``pos``."""
    depth = 0
    quote = ""
    i = pos
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise InlineSyntaxError(f"unbalanced brackets in '{text[pos:pos + 40]}'")


def _scalar(raw: str) -> Any:
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    except ValueError as e:  # an integer of more digits than Python converts
        raise InlineSyntaxError(f"cannot parse value '{raw[:40]}': {e}") from None
    return value if isinstance(value, (int, float, bool, type(None), str)) else raw


def _structured(raw: str) -> Any:
    """A bracketed inline value, JSON or YAML, under the document loader's limits (depth,
    alias expansion, JSON-like types): never a recursion error or an alias bomb."""
    try:
        value = json.loads(raw)
    except RecursionError:
        value = _DEEP
    except ValueError:
        try:
            return loader.load(raw)
        except (DSLError, SizeLimitExceededError) as e:
            problems = getattr(e, "errors", None)
            reason = problems[0].message if problems else str(e)
            raise InlineSyntaxError(f"cannot parse value '{raw[:40]}': {reason}") from None
    if value is _DEEP or not loader._depth_ok(value, loader.DEFAULT_MAX_DEPTH):
        raise InlineSyntaxError(f"cannot parse value '{raw[:40]}': nested deeper than "
                                f"{loader.DEFAULT_MAX_DEPTH} levels")
    return value


_DEEP = object()


def _read_value(text: str, pos: int) -> tuple[Any, int]:
    if text.startswith(("<%", "{{"), pos):
        end = text.find(_CLOSERS[text[pos:pos + 2]], pos + 2)
        if end < 0:
            raise InlineSyntaxError(f"unterminated expression '{text[pos:pos + 40]}'")
        return text[pos:end + 2], end + 2
    c = text[pos] if pos < len(text) else ""
    if c in "\"'":
        i = pos + 1
        out: list[str] = []
        while i < len(text) and text[i] != c:
            if text[i] == "\\" and i + 1 < len(text) and c == '"':
                i += 1
            out.append(text[i])
            i += 1
        if i >= len(text):
            raise InlineSyntaxError(f"unterminated string {text[pos:pos + 40]}")
        return "".join(out), i + 1
    if c in "[{":
        end = _scan_balanced(text, pos)
        return _structured(text[pos:end]), end
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return _scalar(text[pos:end]), end


def parse_params(text: str) -> dict[str, Any]:
    """``a=1 b="two words" c=<% $.x %>`` → ``{'a': 1, 'b': 'two words', 'c': '<% $.x %>'}``."""
    params: dict[str, Any] = {}
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _KEY_RE.match(text, pos)
        if m is None:
            raise InlineSyntaxError(f"expected 'key=value' at '{text[pos:pos + 40]}'")
        key = m.group(1)
        value, pos = _read_value(text, m.end())
        if key in params:
            raise InlineSyntaxError(f"parameter '{key}' given twice")
        params[key] = value
    return params


def parse_inline(text: str) -> tuple[str, dict[str, Any]]:
    """``std.echo output="x"`` → ``('std.echo', {'output': 'x'})``."""
    stripped = text.lstrip()
    if stripped.startswith(("<%", "{{")):
        name, end = _read_value(stripped, 0)
        return str(name), parse_params(stripped[end:])
    m = _NAME_RE.match(text)
    if m is None:
        raise InlineSyntaxError("empty name")
    name = m.group(1)
    if "(" in name and text.rstrip().endswith(")"):
        # As Mistral 23, the call form: ``fail(msg="stopped")`` is ``fail msg="stopped"``.
        head, _, _ = name.partition("(")
        inner = text[text.index("(", m.start(1)) + 1:text.rstrip().rindex(")")]
        return head, parse_params(inner)
    return name, parse_params(text[m.end():])
