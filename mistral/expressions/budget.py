"""A per-evaluation operation budget, so one expression cannot run for ever.

Each evaluation opens a budget (``with spending(n):``); the evaluators spend from it on
every YAQL function/operator call and every Jinja call, attribute/item access, binary
operator and loop step they can see. Deterministic (counts, not wall-clock time) and
scoped with a ``ContextVar``, so concurrent evaluations in threads do not share it.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Iterator

from mistral.exceptions import ExpressionError


def _room(limit: int) -> float:
    return limit if limit >= 0 else float("inf")


class Budget:
    """Operations, rendered characters and allocated sizes one evaluation may use."""

    __slots__ = ("left", "limit", "output_left", "output_limit", "alloc_left", "alloc_limit")

    def __init__(self, limit: int, output_limit: int = -1, alloc_limit: int = -1) -> None:
        self.limit, self.left = limit, _room(limit)
        self.output_limit, self.output_left = output_limit, _room(output_limit)
        self.alloc_limit, self.alloc_left = alloc_limit, _room(alloc_limit)

    def spend_alloc(self, n: int) -> None:
        self.alloc_left -= n
        if self.alloc_left < 0:
            raise ExpressionError(
                f"the expression builds more than {self.alloc_limit} characters/items in all")

    def spend_output(self, n: int) -> None:
        self.output_left -= n
        if self.output_left < 0:
            raise ExpressionError(
                f"the expression renders more than {self.output_limit} characters")

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise ExpressionError(
                f"the expression needs more than {self.limit} operations (the allowed maximum)")


_CURRENT: ContextVar[Budget | None] = ContextVar("mistral_expression_budget", default=None)


def spend(n: int = 1) -> None:
    """Spend from the current evaluation's budget (no-op outside an evaluation)."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.spend(n)


def spend_output(n: int) -> None:
    """Count ``n`` more rendered characters against the current evaluation."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.spend_output(n)


def spend_alloc(value: object) -> None:
    """Count the size of a value an operation produced (strings, lists, dicts)."""
    if isinstance(value, (str, bytes, list, tuple, dict)):
        budget = _CURRENT.get()
        if budget is not None:
            budget.spend_alloc(len(value))


@contextlib.contextmanager
def spending(limit: int, output_limit: int = -1, alloc_limit: int = -1) -> Iterator[Budget]:
    """Open a budget for one evaluation; nested evaluations share the outer one.
    A negative limit means unlimited."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    budget = Budget(limit, output_limit, alloc_limit)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)
