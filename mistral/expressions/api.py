"""The public evaluation functions: ``evaluate``, ``evaluate_recursively``, ``validate``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mistral.exceptions import ExpressionError
from mistral.expressions import scanner
from mistral.expressions.env import FunctionEnv
from mistral.expressions.jinja_eval import get_jinja
from mistral.expressions.settings import DEFAULT_SETTINGS, ExpressionSettings, check_language
from mistral.expressions.yaql_eval import get_yaql


def _to_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def evaluate(
    expression: Any,
    data: Mapping[str, Any] | Any = None,
    env: FunctionEnv | None = None,
    settings: ExpressionSettings | None = None,
) -> Any:
    """Evaluate one value. A whole-value expression returns its native result
    (``'<% 1 + 2 %>'`` → 3); expressions embedded in a string are rendered into it.
    Anything that is not a string with an expression is returned unchanged.
    Raises ``ExpressionError`` naming the failing expression (never the data).
    """
    return _evaluate(expression, data, env, settings or DEFAULT_SETTINGS, None)


class PreparedData(Mapping[str, Any]):
    """Data for many evaluations, converted for YAQL at most once per settings.

    ``overlay(extra)`` is the same data plus a few keys (a with-items item): only
    ``extra`` is converted, so N overlays of large data cost N × the item, not N × the
    data. Jinja sees the plain mapping.
    """

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.plain: dict[str, Any] = dict(data or {})
        self._parent: PreparedData | None = None
        self._extra: dict[str, Any] = {}
        self._yaql: dict[ExpressionSettings, Any] = {}

    def overlay(self, extra: Mapping[str, Any]) -> PreparedData:
        child = PreparedData()
        child.plain = {**self.plain, **extra}
        child._parent, child._extra = self, dict(extra)
        return child

    def for_yaql(self, settings: ExpressionSettings) -> Any:
        value = self._yaql.get(settings)
        if value is None:
            yaql = get_yaql(settings)
            if self._parent is None:
                value = yaql.prepare(self.plain)
            else:
                value = yaql.prepare_overlay(self._parent.for_yaql(settings), self._extra)
            self._yaql[settings] = value
        return value

    def __getitem__(self, key: str) -> Any:
        return self.plain[key]

    def __iter__(self) -> Any:
        return iter(self.plain)

    def __len__(self) -> int:
        return len(self.plain)


class _Prepared:
    """The data converted for YAQL once, shared by every expression of one walk."""

    __slots__ = ("value", "ready")

    def __init__(self) -> None:
        self.value: Any = None
        self.ready = False


_PATH = re.compile(r"\s*\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*")
_SCALARS = frozenset((str, int, float, bool, type(None)))
_MISSING = object()


def _plain_path(source: str, data: Any) -> Any:
    """``$.a.b`` (the most common expression: a with-items item, an input) read straight
    from plain data when it names existing keys and a scalar: what YAQL would return,
    without its per-call overload resolution. Anything else (a missing key, a list or
    mapping, any other expression) is ``_MISSING``: YAQL evaluates it, errors included."""
    m = _PATH.fullmatch(source)
    if m is None:
        return _MISSING
    value = data.plain if isinstance(data, PreparedData) else data
    for key in m.group(1)[1:].split("."):
        if type(value) is not dict or key not in value:
            return _MISSING
        value = value[key]
    return value if type(value) in _SCALARS else _MISSING


def _evaluate(expression: Any, data: Any, env: FunctionEnv | None,
              settings: ExpressionSettings, prepared: _Prepared | None) -> Any:
    kind = scanner.kind_of(expression)
    if kind is None:
        return expression
    check_language(kind, settings.allowed_languages)
    data = {} if data is None else data
    if kind == scanner.YAQL:
        whole = scanner.whole_yaql(expression)
        if whole is not None:
            found = _plain_path(whole, data)
            if found is not _MISSING:
                return found
        yaql = get_yaql(settings)
        if prepared is None:
            prepared = _Prepared()
        if not prepared.ready:
            prepared.value = data.for_yaql(settings) if isinstance(data, PreparedData) \
                else yaql.prepare(data)
            prepared.ready = True
        whole = scanner.whole_yaql(expression)
        if whole is not None:
            return yaql.evaluate(whole, data, env, prepared.value)
        parts: list[str] = []
        pos = 0
        for start, end in scanner.yaql_spans(expression):
            parts.append(expression[pos:start])
            source = expression[start + 2:end - 2]
            parts.append(_to_str(yaql.evaluate(source, data, env, prepared.value)))
            pos = end
        parts.append(expression[pos:])
        result = "".join(parts)
        if len(result) > settings.max_string_length:
            raise ExpressionError("the rendered string is larger than the allowed size")
        return result
    jinja = get_jinja(settings)
    if isinstance(data, PreparedData):
        data = data.plain
    whole = scanner.whole_jinja(expression)
    if whole is not None:
        return jinja.evaluate_expression(whole, data, env)
    return jinja.render(expression, data, env)


def evaluate_recursively(
    value: Any,
    data: Mapping[str, Any] | Any = None,
    env: FunctionEnv | None = None,
    settings: ExpressionSettings | None = None,
) -> Any:
    """Evaluate every expression in ``value``: strings, dict keys and values, list items.
    Returns a new structure; ``value`` is not modified."""
    settings = settings or DEFAULT_SETTINGS
    return _walk(value, data, env, settings, 0, _Prepared())


def _walk(value: Any, data: Any, env: FunctionEnv | None, settings: ExpressionSettings,
          depth: int, prepared: _Prepared) -> Any:
    if depth > settings.max_nesting:
        raise ExpressionError(f"value nested deeper than {settings.max_nesting} levels")
    if isinstance(value, str):
        return _evaluate(value, data, env, settings, prepared)
    if isinstance(value, Mapping):
        return {
            _walk(k, data, env, settings, depth + 1, prepared):
                _walk(v, data, env, settings, depth + 1, prepared)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_walk(v, data, env, settings, depth + 1, prepared) for v in value]
    return value


def validate(expression: Any, settings: ExpressionSettings | None = None) -> None:
    """Check the syntax of every expression in ``expression`` (a string or nested value).
    Raises ``ExpressionError`` for the first bad one."""
    settings = settings or DEFAULT_SETTINGS
    for found in scanner.find_expressions(expression):
        validate_found(found, settings)


def validate_found(found: scanner.Found, settings: ExpressionSettings | None = None) -> None:
    """Check one ``Found`` returned by ``find_expressions``."""
    settings = settings or DEFAULT_SETTINGS
    check_language(found.kind, settings.allowed_languages)
    if found.kind == scanner.YAQL:
        get_yaql(settings).validate(found.source)
        return
    jinja = get_jinja(settings)
    whole = scanner.whole_jinja(found.source)
    if whole is not None:
        jinja.validate(whole, whole=True)
    else:
        jinja.validate(found.source, whole=False)
