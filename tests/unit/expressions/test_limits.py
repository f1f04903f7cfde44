"""Hostile expressions fail with an ExpressionError instead of hanging or exhausting memory."""

from __future__ import annotations

import pytest

from mistral.exceptions import ExpressionError
from mistral.expressions import ExpressionSettings, evaluate, validate


# Small budgets keep the suite fast; the mechanism is the one the defaults use.
SMALL = ExpressionSettings(max_operations=5_000, limit_iterators=1_000)


@pytest.mark.parametrize(
    "expression",
    [
        "<% range(0, 1000000000).sum() %>",
        "<% range(0, 1000000000).select($ * 2).len() %>",
        "<% range(0, 900).select(range(0, 900).sum()) %>",
        "<% range(0, 100000).len() %>",
        "<% 1.repeat().len() %>",
        "<% sequence().len() %>",
        "<% [1, 2].cycle().len() %>",
        "{{ 'a' * 1000000000 }}",
        "{{ [1] * 1000000000 }}",
        "{{ 2 ** 100000000 }}",
        "{{ 'a'.ljust(1000000000) }}",
        "{{ 'a'.center(1000000000) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{{ range(1000000000) | list }}",
        "{% for a in _.l %}{% for b in _.l %}{{ b }}{% endfor %}{% endfor %}",
    ],
)
def test_resource_hungry_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate(expression, {"l": list(range(1000))}, settings=SMALL)
    message = str(err.value)
    assert "Can not evaluate" in message
    assert "Unknown function" not in message and "No function" not in message


def test_default_settings_bound_iterators_and_operations() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("<% range(0, 1000000000).len() %>", {})
    assert "operations" in str(err.value)
    with pytest.raises(ExpressionError) as err:
        evaluate("{% for a in _.l %}{% for b in _.l %}{{ b }}{% endfor %}{% endfor %}",
                 {"l": list(range(1000))})
    assert "operations" in str(err.value)


def test_bounded_producers_still_work() -> None:
    assert evaluate("<% range(5) %>", {}) == [0, 1, 2, 3, 4]
    assert evaluate("<% range(1, 7, 2) %>", {}) == [1, 3, 5]
    assert evaluate("<% 1.repeat(3) %>", {}) == [1, 1, 1]
    assert evaluate("<% sequence().take(3) %>", {}) == [0, 1, 2]
    assert evaluate("<% [1, 2].cycle().take(5) %>", {}) == [1, 2, 1, 2, 1]


def test_budget_is_per_evaluation() -> None:
    settings = ExpressionSettings(max_operations=50)
    for _ in range(20):  # 20 x 30 operations > 50: only a shared budget would fail
        assert evaluate("<% range(0, 10).select($ + 1).len() %>", {}, settings=settings) == 10


def test_string_growth_by_replace_is_bounded() -> None:
    settings = ExpressionSettings(max_string_length=1000)
    with pytest.raises(ExpressionError):
        evaluate("{{ ('a' * 500).replace('a', 'aaaa') }}", {}, settings=settings)
    assert evaluate("{{ 'abc'.replace('b', 'x') }}", {}, settings=settings) == "axc"


def test_sandbox_blocks_python_internals() -> None:
    for expression in ("{{ _.__class__.__mro__ }}", "{{ ''.__class__.__subclasses__() }}"):
        result = None
        try:
            result = evaluate(expression, {})
        except ExpressionError:
            continue
        assert result is None or "class" not in str(result)


def test_function_env_is_not_reachable_from_templates() -> None:
    with pytest.raises(ExpressionError):
        evaluate("{{ __mistral_fenv._value }}", {})


def test_deeply_nested_expression_is_an_error_not_a_crash() -> None:
    deep = "<% " + "(" * 5000 + "1" + ")" * 5000 + " %>"
    with pytest.raises(ExpressionError):
        evaluate(deep, {})
    jdeep = "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"
    with pytest.raises(ExpressionError):
        validate(jdeep)


def test_overlong_expression_is_refused() -> None:
    settings = ExpressionSettings(max_expression_length=100)
    with pytest.raises(ExpressionError) as err:
        evaluate("<% " + "1 + " * 50 + "1 %>", {}, settings=settings)
    assert "longer than 100" in str(err.value)


def test_evaluate_recursively_bounds_nesting() -> None:
    from mistral.expressions import evaluate_recursively

    value: object = "<% 1 %>"
    for _ in range(100):
        value = [value]
    with pytest.raises(ExpressionError):
        evaluate_recursively(value, {}, settings=ExpressionSettings(max_nesting=64))


def test_limit_iterators_setting_is_applied() -> None:
    small = ExpressionSettings(limit_iterators=10)
    assert evaluate("<% range(0, 5).sum() %>", {}, settings=small) == 10
    with pytest.raises(ExpressionError) as err:
        evaluate("<% range(0, 50).sum() %>", {}, settings=small)
    assert "limit of 10" in str(err.value)
    # -1 means no limit, as in Mistral's [yaql] limit_iterators.
    unlimited = ExpressionSettings(limit_iterators=-1, max_operations=-1)
    assert evaluate("<% range(0, 200000).len() %>", {}, settings=unlimited) == 200000


def test_jinja_range_spends_the_budget() -> None:
    settings = ExpressionSettings(max_operations=12)
    assert evaluate("{% for i in range(10) %}x{% endfor %}", {}, settings=settings) == "x" * 10
    with pytest.raises(ExpressionError):
        evaluate("{% for i in range(13) %}x{% endfor %}", {}, settings=settings)


def test_settings_map_to_yaql_options() -> None:
    options = ExpressionSettings(limit_iterators=7, memory_quota=100).yaql_options()
    assert options["yaql.limitIterators"] == 7
    assert options["yaql.memoryQuota"] == 100


def test_settings_from_a_config_group() -> None:
    class Group:  # what cfg.CONF.yaql looks like to us: attributes named as the options
        limit_iterators = -1
        memory_quota = 1000
        convert_input_data = False
        keyword_operator = "=>"

    settings = ExpressionSettings.from_options(Group(), max_operations=10)
    assert settings.limit_iterators == -1 and settings.memory_quota == 1000
    assert settings.convert_input_data is False and settings.max_operations == 10
    assert settings.convert_output_data is True  # not in the group: default kept
    assert evaluate("<% $.a.b %>", {"a": {"b": 2}}, settings=settings) == 2


def test_rendered_output_is_bounded_across_a_loop() -> None:
    settings = ExpressionSettings(max_string_length=10_000)
    # Every piece is under the limit; together they are not.
    template = "{% for i in range(100) %}{{ 'a' * 5000 }}{% endfor %}"
    with pytest.raises(ExpressionError) as err:
        evaluate(template, {}, settings=settings)
    assert "renders more than 10000 characters" in str(err.value)
    assert evaluate("{% for i in range(2) %}{{ 'a' * 5000 }}{% endfor %}", {},
                    settings=settings) == "a" * 10_000


@pytest.mark.parametrize(
    "expression",
    [
        "<% range(0, 200).select('a' * 1000) %>",
        "<% range(0, 100).select(list(range(0, 1000))) %>",
        "{% set x = [] %}{% for i in range(200) %}{{ x.append('a' * 1000) }}{% endfor %}",
        "{% set ns = namespace(s='') %}{% for i in range(200) %}{% set ns.s = ns.s + 'aaaaa' %}"
        "{% endfor %}",
    ],
)
def test_total_allocation_is_bounded(expression: str) -> None:
    settings = ExpressionSettings(max_allocated=50_000)
    with pytest.raises(ExpressionError) as err:
        evaluate(expression, {}, settings=settings)
    assert "in all" in str(err.value)


def test_allocation_budget_leaves_ordinary_expressions_alone() -> None:
    data = {"items": [{"name": f"n{i}"} for i in range(2000)]}
    assert len(evaluate("<% $.items.select($.name) %>", data)) == 2000
    assert evaluate("{{ _['items'] | map(attribute='name') | join(',') }}", data).count(",") == 1999


@pytest.mark.parametrize(
    "expression",
    [
        "{{ '%0999999999d' % 1 }}",
        "{{ '%.999999999f' % 1 }}",
        "{{ '%*d' % (999999999, 1) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{x:>999999999}'.format_map({'x': 1}) }}",
        "{{ '%0999999999d' | format(1) }}",
        "{{ 'x' | center(999999999) }}",
        "{{ 'x' | indent(999999999) }}",
    ],
)
def test_huge_format_widths_are_refused_before_allocation(expression: str) -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate(expression, {})
    assert "allowed size" in str(err.value)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("{{ '%05d' % 42 }}", "00042"),
        ("{{ 'Order 12345678901234: %s' % 'x' }}", "Order 12345678901234: x"),
        ("{{ '{:>5}'.format(1) }}", "    1"),
        ("{{ '%s-%s' | format(1, 2) }}", "1-2"),
        ("{{ 'x' | center(5) }}", "  x  "),
        ("{{ 7 % 3 }}", 1),
        ("{{ [3, 1, 2] | sort | join(',') }}", "1,2,3"),
    ],
)
def test_ordinary_formatting_still_works(expression: str, expected: object) -> None:
    assert evaluate(expression, {}) == expected


def test_yaql_pow_refuses_huge_exponents() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("<% pow(10, 100000000) %>", {})
    assert "exponent" in str(err.value)
    assert evaluate("<% pow(2, 10) %>", {}) == 1024
    assert evaluate("<% pow(2, 100000000, 7) %>", {}) == 2  # modular: cheap
    assert evaluate("<% pow(1, 100000000) %>", {}) == 1


def test_yaql_memory_quota_applies() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("<% 'x' * 100000000 %>", {})
    assert "memory quota" in str(err.value)
