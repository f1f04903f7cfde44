"""List filters: a plain value means equality, ``Filter(op, value)`` anything else.

``parse_filter("in:a,b")`` turns Mistral's query-string syntax (``eq:``, ``neq:``, ``in:``,
``nin:``, ``gt:``, ``gte:``, ``lt:``, ``lte:``, ``has:``) into a ``Filter``; a value with no
known prefix is an equality filter on the whole string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mistral import exceptions as exc

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
