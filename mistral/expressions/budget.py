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


class Budget:
    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

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


@contextlib.contextmanager
def spending(limit: int) -> Iterator[Budget]:
    """Open a budget for one evaluation; nested evaluations share the outer one."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    budget = Budget(limit) if limit >= 0 else None
    token = _CURRENT.set(budget)
    try:
        yield budget  # type: ignore[misc]
    finally:
        _CURRENT.reset(token)
