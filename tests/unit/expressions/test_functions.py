"""Mistral's expression functions, reading runtime data through a FunctionEnv."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from mistral.exceptions import ExpressionError
from mistral.expressions import StaticFunctionEnv, evaluate

TASKS = [
    {"id": "1", "name": "t1", "state": "SUCCESS", "state_info": None, "result": {"a": [1, 2]},
     "published": {"p": 1}, "workflow_execution_id": "wf-1", "type": "ACTION"},
    {"id": "2", "name": "t2", "state": "ERROR", "state_info": "boom", "result": None,
     "published": {}, "workflow_execution_id": "wf-1", "type": "WORKFLOW"},
    {"id": "3", "name": "sub", "state": "SUCCESS", "state_info": None, "result": 5,
     "published": {}, "workflow_execution_id": "wf-2", "type": "ACTION"},
]
ENV = StaticFunctionEnv(
    task_list=TASKS,
    current_task="t2",
    execution_data={"id": "wf-1", "name": "my_wf", "input": {"i": 1}, "params": {},
                    "spec": {}, "created_at": "2026-01-01 00:00:00", "root_execution_id": None},
    execution_list=[{"id": "wf-1", "state": "RUNNING", "created_at": "2026-01-01"},
                    {"id": "wf-2", "root_execution_id": "wf-1", "state": "SUCCESS",
                     "task_execution_id": "2", "created_at": "2026-01-02"}],
    env_data={"region": "eu", "nested": {"k": 1}},
    globals_data={"counter": 3},
)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("<% task(t1).result.a %>", [1, 2]),
        ("<% task('t1').published.p %>", 1),
        ("<% task(t1).state %>", "SUCCESS"),
        ("<% task().name %>", "t2"),
        ("<% task().state_info %>", "boom"),
        ("<% task(nope) %>", None),
        ("{{ task('t1').result.a }}", [1, 2]),
        ("{{ task().state }}", "ERROR"),
        ("{{ 't1' | task }}", TASKS[0]),
    ],
)
def test_task_function(expression: str, expected: object) -> None:
    assert evaluate(expression, {}, ENV) == expected


def test_tasks_function_filters_by_execution_and_state() -> None:
    assert [t["name"] for t in evaluate("<% tasks() %>", {}, ENV)] == ["t1", "t2", "sub"]
    assert [t["name"] for t in evaluate("<% tasks('wf-1') %>", {}, ENV)] == ["t1", "t2"]
    assert [t["name"] for t in evaluate("<% tasks('wf-1', true) %>", {}, ENV)] == \
        ["t1", "t2", "sub"]
    assert [t["name"] for t in evaluate("<% tasks(null, false, 'ERROR') %>", {}, ENV)] == ["t2"]
    assert [t["id"] for t in evaluate("{{ tasks(state='SUCCESS') }}", {}, ENV)] == ["1", "3"]
    # recursive with a state: the subworkflow's tasks are filtered too, not the parent task.
    assert [t["name"] for t in evaluate("<% tasks('wf-1', true, 'SUCCESS') %>", {}, ENV)] == \
        ["t1", "sub"]
    # flat keeps a workflow task only when its subworkflow ended in another state.
    assert [t["name"] for t in evaluate("<% tasks('wf-1', true, null, true) %>", {}, ENV)] == \
        ["t1", "t2", "sub"]


def test_execution_env_and_global() -> None:
    assert evaluate("<% execution().id %>", {}, ENV) == "wf-1"
    assert evaluate("<% execution().input.i %>", {}, ENV) == 1
    assert evaluate("{{ execution().name }}", {}, ENV) == "my_wf"
    assert evaluate("<% env().region %>", {}, ENV) == "eu"
    assert evaluate("{{ env().nested.k }}", {}, ENV) == 1
    assert evaluate("<% global(counter) %>", {}, ENV) == 3
    assert evaluate("{{ global('counter') }}", {}, ENV) == 3


def test_executions_function() -> None:
    # YAQL's naming convention turns keyword names to camelCase, as in Mistral.
    assert [e["id"] for e in evaluate("<% executions() %>", {}, ENV)] == ["wf-1", "wf-2"]
    assert [e["id"] for e in evaluate("<% executions(rootExecutionId => 'wf-1') %>", {}, ENV)] \
        == ["wf-2"]
    assert [e["id"] for e in evaluate("{{ executions(state='RUNNING') }}", {}, ENV)] == ["wf-1"]


def test_functions_without_env_see_empty_data() -> None:
    assert evaluate("<% env() %>", {}) == {}
    assert evaluate("<% task(t1) %>", {}) is None
    with pytest.raises(ExpressionError) as err:
        evaluate("<% task() %>", {})
    assert "task()" in str(err.value)


def test_json_and_yaml_functions() -> None:
    data = {"d": {"b": [1, 2], "a": "x"}}
    assert json.loads(evaluate("<% json_pp($.d) %>", data)) == data["d"]
    assert "\n" in evaluate("<% json_pp($.d) %>", data)
    assert json.loads(evaluate("<% json_dump($.d) %>", data)) == data["d"]
    assert evaluate("<% json_parse('{\"k\": [1]}') %>", data) == {"k": [1]}
    assert yaml.safe_load(evaluate("<% yaml_dump($.d) %>", data)) == data["d"]
    assert evaluate("<% yaml_parse('a: 1') %>", data) == {"a": 1}
    assert json.loads(evaluate("{{ _.d | json_dump }}", data)) == data["d"]
    assert evaluate("{{ json_parse('[1, 2]') }}", data) == [1, 2]
    assert evaluate("{{ _.d | yaml_dump | yaml_parse }}", data) == data["d"]


def test_json_parse_of_bad_text_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError) as err:
        evaluate("<% json_parse('{bad') %>", {})
    assert "json_parse" in str(err.value)


def test_uuid_is_a_fresh_uuid4() -> None:
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    first, second = evaluate("<% uuid() %>", {}), evaluate("{{ uuid() }}", {})
    assert pattern.match(first) and pattern.match(second)
    assert first != second


def test_yaml_parse_refuses_alias_bombs_and_deep_nesting() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    prev = "a"
    for name in "bcdefg":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
        prev = name
    with pytest.raises(ExpressionError) as err:
        evaluate("<% yaml_parse($.text) %>", {"text": "\n".join(lines)})
    assert "more than" in str(err.value)
    with pytest.raises(ExpressionError) as err:
        evaluate("{{ yaml_parse(_.text) }}", {"text": "[" * 100 + "]" * 100})
    assert "nested deeper" in str(err.value)
    # Far deeper, the YAML library may refuse first, in its own words: still a clean
    # ExpressionError from yaml_parse(), never a RecursionError.
    with pytest.raises(ExpressionError) as err:
        evaluate("{{ yaml_parse(_.text) }}", {"text": "[" * 10000 + "]" * 10000})
    assert "yaml_parse()" in str(err.value)
    with pytest.raises(ExpressionError):
        evaluate("<% json_parse($.text) %>", {"text": "[" * 100000 + "]" * 100000})
    assert evaluate("<% yaml_parse('a: &x [1]\\nb: *x') %>", {}) == {"a": [1], "b": [1]}


def test_yaml_parse_rejects_python_tags() -> None:
    with pytest.raises(ExpressionError):
        evaluate("<% yaml_parse($.t) %>", {"t": "!!python/object/apply:os.system ['true']"})
