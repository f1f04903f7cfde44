"""List filters: a plain value means equality, ``Filter(op, value)`` anything else.

``parse_filter("in:a,b")`` turns Mistral's query-string syntax (``eq:``, ``neq:``, ``in:``,
``nin:``, ``gt:``, ``gte:``, ``lt:``, ``lte:``, ``has:``) into a ``Filter``; a value with no
known prefix is an equality filter on the whole string.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from mistral import exceptions as exc
from mistral.db.types import JsonEncoded

OPS = ("eq", "neq", "in", "nin", "gt", "gte", "lt", "lte", "has")
LIST_OPS = ("in", "nin")


@dataclass(frozen=True)
class Filter:
    op: str
    value: Any

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise exc.ValidationError(
                f"Unknown filter operator '{self.op}'; expected one of: {', '.join(OPS)}"
            )
        if self.op in LIST_OPS and not isinstance(self.value, (list, tuple, set, frozenset)):
            raise exc.ValidationError(
                f"Filter operator '{self.op}' needs a list of values, got {self.value!r}"
            )


def parse_filter(text: str) -> Filter:
    """``"gt:2024-01-01"`` -> ``Filter("gt", "2024-01-01")``; ``"in:a,b"`` splits on commas."""
    op, sep, rest = text.partition(":")
    if not sep or op not in OPS:
        return Filter("eq", text)
    if op in LIST_OPS:
        return Filter(op, [v for v in rest.split(",") if v != ""])
    return Filter(op, rest)


def coerce(type_: Any, value: Any, field: str) -> Any:
    """Turn a filter value given as text (from a query string) into the column's type."""
    if value is None or not isinstance(value, str):
        return value
    if isinstance(type_, JsonEncoded):
        # A JSON object or list given as text (a query string's variables={"k": 1}) is
        # compared as the value it stands for, as Mistral 23 compares it.
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, (dict, list)) else value
    python_type = _python_type(type_)
    if python_type not in _KINDS:
        return value
    try:
        if python_type is datetime.datetime:
            parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return parsed
        if python_type is bool:
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise ValueError(value)
        if python_type is int:
            return int(value)
    except ValueError:
        raise exc.ValidationError(
            f"Invalid {_KINDS[python_type]} value '{value}' for filter field '{field}'"
        ) from None
    return value


_KINDS: dict[type | None, str] = {datetime.datetime: "datetime", bool: "boolean", int: "integer"}


def _python_type(type_: Any) -> type | None:
    impl = getattr(type_, "impl", type_)
    try:
        return impl.python_type
    except NotImplementedError:
        return None
