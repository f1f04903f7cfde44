"""YAQL's regular-expression functions, with a time limit on every match.

yaql's own library matches with Python's ``re``, which cannot be interrupted: a
catastrophic pattern such as ``regex('(a+)+$').matches('aaaa…ab')`` backtracks for hours
while holding the GIL, and every thread of the service (the API included) stops. These
functions keep yaql's names, signatures and results but match with the ``regex`` package,
which gives up after ``timeout`` seconds (raising ``TimeoutError``, reported as an
``ExpressionError`` by the evaluator) and releases the GIL while it works.

The evaluator builds its context with ``regex=False`` and calls ``register`` instead.
"""

from __future__ import annotations

from typing import Any

import regex as rx
from yaql.language import specs, yaqltypes

PATTERN_TYPE = type(rx.compile("."))


class RegexTimeout(TimeoutError):
    pass


def register(context: Any, timeout: float) -> None:
    """Register yaql's regex functions on ``context``; each match runs at most ``timeout`` s."""

    def guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, timeout=timeout, **kwargs)
        except TimeoutError:
            raise RegexTimeout(
                f"regular expression matching took longer than {timeout:g} s and was stopped"
            ) from None

    def compiled(pattern: str, flags: int = 0) -> Any:
        try:
            return rx.compile(pattern, flags | rx.VERSION0)
        except rx.error as e:
            raise ValueError(f"invalid regular expression {pattern!r}: {e}") from None

    def publish(ctx: Any, match: Any) -> None:
        ctx["$1"] = {"value": match.group(), "start": match.start(0), "end": match.end(0)}
        for i, group in enumerate(match.groups(), 1):
            ctx["$" + str(i + 1)] = {"value": group, "start": match.start(i), "end": match.end(i)}
        for name, group in match.groupdict().items():
            ctx["$" + name] = {"value": group, "start": match.start(name), "end": match.end(name)}

    @specs.parameter("pattern", yaqltypes.String())
    def regex(pattern: str, ignore_case: bool = False, multi_line: bool = False,
              dot_all: bool = False) -> Any:
        flags = rx.UNICODE
        if ignore_case:
            flags |= rx.IGNORECASE
        if multi_line:
            flags |= rx.MULTILINE
        if dot_all:
            flags |= rx.DOTALL
        return compiled(pattern, flags)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.method
    def matches(regexp: Any, string: str) -> bool:
        return guard(regexp.search, string) is not None

    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("regexp", yaqltypes.String())
    @specs.method
    @specs.name("matches")
    def matches_string(string: str, regexp: str) -> bool:
        return guard(compiled(regexp).search, string) is not None

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.name("#operator_=~")
    def op_matches_regex(string: str, regexp: Any) -> bool:
        return guard(regexp.search, string) is not None

    @specs.parameter("pattern", yaqltypes.String())
    @specs.parameter("string", yaqltypes.String())
    @specs.name("#operator_=~")
    def op_matches_string(string: str, pattern: str) -> bool:
        return guard(compiled(pattern).search, string) is not None

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.name("#operator_!~")
    def op_not_matches_regex(string: str, regexp: Any) -> bool:
        return guard(regexp.search, string) is None

    @specs.parameter("pattern", yaqltypes.String())
    @specs.parameter("string", yaqltypes.String())
    @specs.name("#operator_!~")
    def op_not_matches_string(string: str, pattern: str) -> bool:
        return guard(compiled(pattern).search, string) is None

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("selector", yaqltypes.Lambda(with_context=True))
    @specs.method
    def search(context: Any, regexp: Any, string: str, selector: Any = None) -> Any:
        match = guard(regexp.search, string)
        if match is None:
            return None
        if selector is None:
            return match.group()
        child = context.create_child_context()
        publish(child, match)
        return selector(child)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("selector", yaqltypes.Lambda(with_context=True))
    @specs.method
    @specs.name("searchAll")
    def search_all(context: Any, regexp: Any, string: str, selector: Any = None) -> Any:
        found = guard(lambda s, timeout: list(regexp.finditer(s, timeout=timeout)), string)
        out = []
        for match in found:
            if selector is None:
                out.append(match.group())
                continue
            child = context.create_child_context()
            publish(child, match)
            out.append(selector(child))
        return out

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("max_split", int)
    @specs.method
    def split(regexp: Any, string: str, max_split: int = 0) -> list:
        return guard(regexp.split, string, max_split)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("max_split", int)
    @specs.method
    @specs.name("split")
    def split_string(string: str, regexp: Any, max_split: int = 0) -> list:
        return guard(regexp.split, string, max_split)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("repl", yaqltypes.String())
    @specs.parameter("count", int)
    @specs.method
    def replace(regexp: Any, string: str, repl: str, count: int = 0) -> str:
        return guard(regexp.sub, repl, string, count)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("repl", yaqltypes.String())
    @specs.parameter("count", int)
    @specs.method
    @specs.name("replace")
    def replace_string(string: str, regexp: Any, repl: str, count: int = 0) -> str:
        return guard(regexp.sub, repl, string, count)

    def _sub_by(context: Any, regexp: Any, string: str, repl: Any, count: int) -> str:
        def each(match: Any) -> str:
            child = context.create_child_context()
            publish(child, match)
            return repl(child)

        return guard(regexp.sub, each, string, count)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("repl", yaqltypes.Lambda(with_context=True))
    @specs.parameter("count", int)
    @specs.method
    @specs.name("replaceBy")
    def replace_by(context: Any, regexp: Any, string: str, repl: Any, count: int = 0) -> str:
        return _sub_by(context, regexp, string, repl, count)

    @specs.parameter("regexp", PATTERN_TYPE)
    @specs.parameter("string", yaqltypes.String())
    @specs.parameter("repl", yaqltypes.Lambda(with_context=True))
    @specs.parameter("count", int)
    @specs.method
    @specs.name("replaceBy")
    def replace_by_string(context: Any, string: str, regexp: Any, repl: Any,
                          count: int = 0) -> str:
        return _sub_by(context, regexp, string, repl, count)

    @specs.parameter("string", yaqltypes.String())
    @specs.name("escapeRegex")
    def escape_regex(string: str) -> str:
        return rx.escape(string)

    @specs.name("isRegex")
    def is_regex(value: Any) -> bool:
        return isinstance(value, PATTERN_TYPE)

    for fn in (regex, matches, matches_string, op_matches_regex, op_matches_string,
               op_not_matches_regex, op_not_matches_string, search, search_all, split,
               split_string, replace, replace_string, replace_by, replace_by_string,
               escape_regex, is_regex):
        context.register_function(fn)
