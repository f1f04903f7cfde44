"""YAQL's regex functions keep yaql's behaviour, and a catastrophic pattern is stopped.

Python's ``re`` cannot be interrupted and holds the GIL, so one hostile pattern in a
workflow used to freeze every thread of the service; matching now has a time limit.
"""

from __future__ import annotations

import threading

import pytest

from mistral.exceptions import ExpressionError
from mistral.expressions import evaluate
from mistral.expressions.settings import ExpressionSettings


@pytest.mark.parametrize(("expr", "expected"), [
    ("<% regex('a(b+)c').matches('xabbbcx') %>", True),
    ("<% regex('^b').matches('abc') %>", False),
    ("<% 'abc'.matches('^a') %>", True),
    ("<% 'xabc' =~ 'b' %>", True),
    ("<% 'xabc' =~ regex('B', ignoreCase => true) %>", True),
    ("<% 'xabc' !~ 'z' %>", True),
    ("<% regex('(\\\\d+)').search('ab 123 cd 45') %>", "123"),
    ("<% regex('(\\\\d+)').search('ab 123 cd 45', $2.start) %>", 3),
    ("<% regex('(?<n>\\\\d+)').search('x 7', $n.value) %>", "7"),
    ("<% regex('z').search('abc') %>", None),
    ("<% regex('\\\\d+').searchAll('ab 123 cd 45') %>", ["123", "45"]),
    ("<% regex('\\\\d+').searchAll('a1b22', $1.end) %>", [2, 5]),
    ("<% regex(',').split('a,b,c', 1) %>", ["a", "b,c"]),
    ("<% 'a1b2'.split(regex('\\\\d')) %>", ["a", "b", ""]),
    ("<% 'a1b2'.replace(regex('\\\\d'), '#') %>", "a#b#"),
    ("<% regex('\\\\d').replace('a1b2', '#', 1) %>", "a#b2"),
    ("<% regex('\\\\d').replaceBy('a1b2', str(int($1.value) + 1)) %>", "a2b3"),
    ("<% 'a1b2'.replaceBy(regex('\\\\d'), '<' + $1.value + '>') %>", "a<1>b<2>"),
    ("<% escapeRegex('a.b') %>", "a\\.b"),
    ("<% isRegex(regex('x')) %>", True),
    ("<% isRegex('x') %>", False),
    ("<% regex('a.c', dotAll => true).matches('a\nc') %>", True),
])
def test_regex_functions_keep_yaql_semantics(expr: str, expected: object) -> None:
    assert evaluate(expr, {}) == expected


def test_a_catastrophic_pattern_is_stopped_with_a_clear_error() -> None:
    settings = ExpressionSettings(regex_timeout=0.2)
    expr = "<% regex('(a|aa)+$').matches('" + "a" * 60 + "b') %>"
    with pytest.raises(ExpressionError) as e:
        evaluate(expr, {}, settings=settings)
    assert "regular expression" in str(e.value) and "0.2 s" in str(e.value)


def test_other_threads_run_while_a_pattern_backtracks() -> None:
    """The matcher releases the GIL: another thread makes progress meanwhile."""
    settings = ExpressionSettings(regex_timeout=0.5)
    ticks = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.01)

    t = threading.Thread(target=tick)
    t.start()
    try:
        with pytest.raises(ExpressionError):
            evaluate("<% regex('(a|aa)+$').matches('" + "a" * 60 + "b') %>", {}, settings=settings)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 5


def test_an_invalid_pattern_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError) as e:
        evaluate("<% regex('(').matches('x') %>", {})
    assert "invalid regular expression" in str(e.value)
