"""Finding expressions in values: ``<% yaql %>``, ``{{ jinja }}`` and ``{% jinja block %}``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

YAQL_RE = re.compile(r"<%(.*?)%>", re.DOTALL)
JINJA_EXPR_RE = re.compile(r"{{(.*?)}}", re.DOTALL)
JINJA_BLOCK_RE = re.compile(r"{%(.*?)%}", re.DOTALL)

YAQL = "yaql"
JINJA = "jinja"


@dataclass(frozen=True)
class Found:
    """One expression inside a value: its language, its source and where it sits."""

    kind: str
    source: str
    text: str
    path: str


def kind_of(value: Any) -> str | None:
    """``'yaql'``, ``'jinja'`` or None. YAQL wins when a string holds both, as in Mistral."""
    if not isinstance(value, str):
        return None
    if "<%" in value and YAQL_RE.search(value):
        return YAQL
    if ("{{" in value and JINJA_EXPR_RE.search(value)) or (
        "{%" in value and JINJA_BLOCK_RE.search(value)
    ):
        return JINJA
    return None


def is_expression(value: Any) -> bool:
    """True when ``value`` is a string that holds at least one YAQL or Jinja expression."""
    return kind_of(value) is not None


def whole_yaql(text: str) -> str | None:
    """The inner source when ``text`` is exactly one ``<% ... %>`` (surrounding blanks allowed)."""
    stripped = text.strip()
    if not (stripped.startswith("<%") and stripped.endswith("%>")):
        return None
    m = YAQL_RE.match(stripped)
    if m is not None and m.end() == len(stripped):
        return m.group(1)
    return None


def whole_jinja(text: str) -> str | None:
    """The inner source when ``text`` is exactly one ``{{ ... }}`` and holds no block."""
    stripped = text.strip()
    if not (stripped.startswith("{{") and stripped.endswith("}}")) or "{%" in stripped:
        return None
    m = JINJA_EXPR_RE.match(stripped)
    if m is not None and m.end() == len(stripped):
        return m.group(1)
    return None


def find_expressions(value: Any, path: str = "", _depth: int = 0) -> Iterator[Found]:
    """Every expression in ``value`` (strings, and lists / dict keys and values nested in it).

    Jinja templates are reported whole (one ``Found`` per string), YAQL per ``<% %>``.
    """
    if _depth > 200:
        return
    if isinstance(value, str):
        kind = kind_of(value)
        if kind == YAQL:
            for m in YAQL_RE.finditer(value):
                yield Found(YAQL, m.group(1), m.group(0), path)
        elif kind == JINJA:
            yield Found(JINJA, value, value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if isinstance(k, str):
                yield from find_expressions(k, sub, _depth + 1)
            yield from find_expressions(v, sub, _depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from find_expressions(v, f"{path}[{i}]", _depth + 1)
