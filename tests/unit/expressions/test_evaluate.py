"""YAQL and Jinja evaluation: native results, embedding, nesting, data context, errors."""

from __future__ import annotations

import pytest

from mistral.exceptions import ExpressionError
from mistral.expressions import (
    evaluate,
    evaluate_recursively,
    find_expressions,
    is_expression,
    validate,
)

DATA = {"x": 1, "name": "bob", "nums": [1, 2, 3], "nested": {"k": "v"}, "flag": True}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("<% 1 + 2 %>", 3),
        ("<% $.x %>", 1),
        ("  <% $.nums %>  ", [1, 2, 3]),
        ("<% $.nested %>", {"k": "v"}),
        ("<% $.nums.select($ * 2) %>", [2, 4, 6]),
        ("<% $.nums.where($ > 1).len() %>", 2),
        ("<% $.flag and $.x = 1 %>", True),
        ("<% null %>", None),
        ("<% dict(a => 1) %>", {"a": 1}),
        ("{{ 1 + 2 }}", 3),
        ("{{ _.x }}", 1),
        ("{{ _.nums }}", [1, 2, 3]),
        ("{{ _.nested.k }}", "v"),
        ("{{ _.nums | map('string') | list }}", ["1", "2", "3"]),
        ("{{ _.flag }}", True),
    ],
)
def test_whole_value_expression_returns_native_type(expression: str, expected: object) -> None:
    assert evaluate(expression, DATA) == expected


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("Hello, <% $.name %>!", "Hello, bob!"),
        ("<% $.x %> and <% $.x + 1 %>", "1 and 2"),
        ("list: <% $.nums %>", "list: [1, 2, 3]"),
        ("Hello, {{ _.name }}!", "Hello, bob!"),
        ("{{ _.x }} and {{ _.x + 1 }}", "1 and 2"),
        ("{% for i in _.nums %}{{ i }}{% endfor %}", "123"),
        ("{% if _.flag %}yes{% else %}no{% endif %}", "yes"),
    ],
)
def test_embedded_expressions_render_into_the_string(expression: str, expected: str) -> None:
    assert evaluate(expression, DATA) == expected


def test_values_without_expressions_are_returned_unchanged() -> None:
    for value in ("plain", "50% off", "{ not jinja }", 5, None, [1], {"a": 1}):
        assert evaluate(value, DATA) == value


def test_evaluate_recursively_walks_lists_and_dicts_without_mutating() -> None:
    value = {
        "a": "<% $.x %>",
        "b": ["{{ _.name }}", {"c": "<% $.nums.len() %>"}],
        "<% $.name %>": "key evaluated",
        "d": 7,
    }
    before = repr(value)
    result = evaluate_recursively(value, DATA)
    assert result == {"a": 1, "b": ["bob", {"c": 3}], "bob": "key evaluated", "d": 7}
    assert repr(value) == before


def test_evaluate_recursively_accepts_frozen_specs_values() -> None:
    from mistral.lang import freeze

    frozen = freeze({"a": ["<% $.x %>"]})
    assert evaluate_recursively(frozen, DATA) == {"a": [1]}


def test_yaql_wins_when_a_string_mixes_languages() -> None:
    # Mistral evaluates YAQL when both are present; Jinja markup stays literal.
    assert evaluate("<% $.x %> {{ _.x }}", DATA) == "1 {{ _.x }}"


def test_missing_key_in_yaql_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("<% $.missing %>", DATA)
    assert "$.missing" in str(err.value)


def test_jinja_attribute_lookup_prefers_python_attributes() -> None:
    # Standard Jinja semantics (and Mistral's): ``_.items`` is dict.items; use ``_['items']``.
    assert evaluate("{{ _['items'] }}", {"items": [1]}) == [1]


@pytest.mark.parametrize("expression", ["{{ _.missing }}", "a {{ _.missing }} b",
                                        "{{ _.nested.missing }}", "{{ nothing }}"])
def test_undefined_jinja_value_is_an_expression_error(expression: str) -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate(expression, DATA)
    assert "missing" in str(err.value) or "nothing" in str(err.value)


def test_jinja_none_value_is_not_undefined() -> None:
    assert evaluate("{{ _.n }}", {"n": None}) is None


@pytest.mark.parametrize(
    "expression",
    ["<% $.x + 'a' %>", "<% 1 / 0 %>", "{{ 1 / 0 }}", "<% nosuchfunction() %>", "{{ _.x() }}"],
)
def test_failure_names_the_expression_but_not_the_data(expression: str) -> None:
    secret = {"x": 1, "password": "hunter2-secret"}
    with pytest.raises(ExpressionError) as err:
        evaluate(expression, secret)
    message = str(err.value)
    assert expression.strip("<%{} ").split()[0] in message
    assert "hunter2" not in message


@pytest.mark.parametrize("expression", ["<% 1 + %>", "<% $.a[ %>", "{{ 1 + }}", "{{ _.a b }}",
                                        "{% if %}x{% endif %}", "{% for x in %}{% endfor %}",
                                        "{{ _.x | nosuch }}", "a {{ _.x | nope(1) }}",
                                        "{% if _.x is nosuch %}y{% endif %}"])
def test_syntax_errors_are_expression_errors(expression: str) -> None:
    with pytest.raises(ExpressionError) as err:
        validate(expression)
    assert "Invalid" in str(err.value)
    with pytest.raises(ExpressionError):
        evaluate(expression, DATA)


@pytest.mark.parametrize("expression", ["<% $.x %>", "{{ _.x }}", "a <% 1 %> b",
                                        "{% for i in _.nums %}{{ i }}{% endfor %}", "plain",
                                        {"k": ["<% $.y %>"]}])
def test_validate_accepts_good_expressions(expression: object) -> None:
    validate(expression)


def test_validate_finds_bad_expression_nested_in_data() -> None:
    with pytest.raises(ExpressionError):
        validate({"a": ["ok", {"b": "<% 1 + %>"}]})


def test_is_expression() -> None:
    assert is_expression("<% 1 %>")
    assert is_expression("x {{ y }}")
    assert is_expression("{% if a %}b{% endif %}")
    assert not is_expression("<% not closed")
    assert not is_expression("{ y }")
    assert not is_expression(5)
    assert not is_expression(None)


def test_find_expressions_reports_kind_source_and_path() -> None:
    found = list(find_expressions({"a": "<% $.x %> <% $.y %>", "b": ["{{ _.z }}"]}))
    assert [(f.kind, f.source.strip(), f.path) for f in found] == [
        ("yaql", "$.x", "a"),
        ("yaql", "$.y", "a"),
        ("jinja", "{{ _.z }}", "b[0]"),
    ]


def test_parsing_is_safe_from_several_threads() -> None:
    import threading

    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(base: int) -> None:
        try:
            for i in range(base, base + 150):
                results[i] = evaluate(f"<% $.x + {i} * (2 + {i}) %>", {"x": 1})
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    import sys

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: without the parse lock this fails
    try:
        threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert len(results) == 600
    assert all(v == 1 + i * (2 + i) for i, v in results.items())


def test_scanning_matches_nearest_closers_like_mistral() -> None:
    assert evaluate("<% 1 %> %>", {}) == "1 %>"
    assert evaluate("<% 'a' %><% 'b' %>", {}) == "ab"
    assert [f.source for f in find_expressions("<%x%> <% y %> <% open")] == ["x", " y "]


def test_many_unclosed_openers_are_scanned_in_one_pass() -> None:
    # A lazy regex would take quadratic time here; str.find scanning is linear.
    hostile = "<%" * 200_000 + "{{" * 200_000
    assert not is_expression(hostile)
    assert list(find_expressions(hostile)) == []
    assert evaluate(hostile, {}) == hostile


def test_a_disallowed_language_is_refused_at_evaluation() -> None:
    from mistral.exceptions import ExpressionError
    from mistral.expressions import ExpressionSettings, evaluate, evaluate_recursively, validate

    yaql_only = ExpressionSettings(allowed_languages=frozenset({"yaql"}))
    assert evaluate("<% 1 + 1 %>", {}, settings=yaql_only) == 2
    assert evaluate("plain text", {}, settings=yaql_only) == "plain text"
    with pytest.raises(ExpressionError, match="jinja.*allowed_languages"):
        evaluate("{{ 1 + 1 }}", {}, settings=yaql_only)
    with pytest.raises(ExpressionError, match="jinja"):
        evaluate_recursively({"a": ["{{ 1 }}"]}, {}, settings=yaql_only)
    with pytest.raises(ExpressionError, match="yaql"):
        validate("<% 1 %>", ExpressionSettings(allowed_languages=frozenset({"jinja"})))
