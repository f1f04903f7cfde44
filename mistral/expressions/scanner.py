"""Finding expressions in values: ``<% yaql %>``, ``{{ jinja }}`` and ``{% jinja block %}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

YAQL = "yaql"
JINJA = "jinja"


@dataclass(frozen=True)
class Found:
    """One expression inside a value: its language, its source and where it sits."""

    kind: str
    source: str
    text: str
    path: str


# Scanning is done with str.find, never with lazy regexes: a hostile string of many
# unclosed "<%" would make a regex scan quadratic.
def spans(text: str, opener: str, closer: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every ``opener ... closer`` pair, leftmost first, closer nearest."""
    pos = 0
    while True:
        start = text.find(opener, pos)
        if start < 0:
            return
        end = text.find(closer, start + len(opener))
        if end < 0:
            return
        pos = end + len(closer)
        yield start, pos


def yaql_spans(text: str) -> Iterator[tuple[int, int]]:
    return spans(text, "<%", "%>")


def _has(text: str, opener: str, closer: str) -> bool:
    return next(spans(text, opener, closer), None) is not None


def kind_of(value: Any) -> str | None:
    """``'yaql'``, ``'jinja'`` or None. YAQL wins when a string holds both, as in Mistral."""
    if not isinstance(value, str):
        return None
    if "<%" in value and _has(value, "<%", "%>"):
        return YAQL
    if ("{{" in value and _has(value, "{{", "}}")) or ("{%" in value and _has(value, "{%", "%}")):
        return JINJA
    return None


def is_expression(value: Any) -> bool:
    """True when ``value`` is a string that holds at least one YAQL or Jinja expression."""
    return kind_of(value) is not None


def _whole(text: str, opener: str, closer: str) -> str | None:
    stripped = text.strip()
    if not (stripped.startswith(opener) and stripped.endswith(closer)):
        return None
    first = next(spans(stripped, opener, closer), None)
    if first == (0, len(stripped)):
        return stripped[len(opener):-len(closer)]
    return None


def whole_yaql(text: str) -> str | None:
    """The inner source when ``text`` is exactly one ``<% ... %>`` (surrounding blanks allowed)."""
    return _whole(text, "<%", "%>")


def whole_jinja(text: str) -> str | None:
    """The inner source when ``text`` is exactly one ``{{ ... }}`` and holds no block."""
    if "{%" in text:
        return None
    return _whole(text, "{{", "}}")


def find_expressions(value: Any, path: str = "", _depth: int = 0) -> Iterator[Found]:
    """Every expression in ``value`` (strings, and lists / dict keys and values nested in it).

    Jinja templates are reported whole (one ``Found`` per string), YAQL per ``<% %>``.
    """
    if _depth > 200:
        return
    if isinstance(value, str):
        kind = kind_of(value)
        if kind == YAQL:
            for start, end in yaql_spans(value):
                yield Found(YAQL, value[start + 2:end - 2], value[start:end], path)
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
