"""The fast schema check never accepts what jsonschema (the authority) rejects."""

from __future__ import annotations

from typing import Any

import pytest

from mistral.lang import schema as sc

TASK_BODIES: list[Any] = [
    {}, {"action": "std.noop"}, {"action": ""}, {"action": 5}, {"acton": "x"},
    {"timeout": True}, {"timeout": 1}, {"timeout": 1.5}, {"timeout": -1}, {"timeout": "<% 1 %>"},
    {"timeout": "soon"}, {"concurrency": 0}, {"concurrency": False}, {"pause-before": 1},
    {"pause-before": "{{ _.x }}"}, {"keep-result": None}, {"retry": {"count": 1}},
    {"retry": {"count": True}}, {"retry": {"delay": 1}}, {"retry": "count=1"},
    {"retry": {"count": 1, "x": 1}}, {"join": "all"}, {"join": "some"}, {"join": 0},
    {"join": True}, {"join": 2}, {"with-items": []}, {"with-items": ["x in <% $.y %>"]},
    {"with-items": [1]}, {"on-success": "a"}, {"on-success": ["a", {"b": "<% 1 %>"}]},
    {"on-success": [{"a": 1}]}, {"on-success": [{"a": None, "b": None}]},
    {"on-success": {"next": ["a"], "publish": {"branch": {}}}},
    {"on-success": {"next": ["a"], "publish": {"local": {}}}}, {"on-success": {"nxt": []}},
    {"input": {"a": 1}}, {"input": "<% $ %>"}, {"input": "plain"}, {"input": [1]},
    {"publish": {"a": 1}}, {"requires": ["a", "a"]}, {"requires": "a"}, {"requires": [1]},
    {"tags": ["a"]}, {"tags": [""]}, {"target": 1}, {"fail-on": "<% 1 %>"}, [1], "x", None,
]
WORKFLOW_BODIES: list[Any] = [
    {"tasks": {"t": {}}}, {"tasks": {}}, {}, {"type": "reverse", "tasks": {"t": {}}},
    {"type": "x", "tasks": {"t": {}}}, {"input": ["a", {"b": 1}], "tasks": {"t": {}}},
    {"input": [{"a": 1, "b": 2}], "tasks": {"t": {}}}, {"input": [""], "tasks": {"t": {}}},
    {"version": 2.0, "tasks": {"t": {}}}, {"version": "1.0", "tasks": {"t": {}}},
    {"vars": [], "tasks": {"t": {}}}, {"output": None, "tasks": {"t": {}}},
]


@pytest.mark.parametrize(
    "validator, body",
    [(sc.TASK_VALIDATOR, b) for b in TASK_BODIES]
    + [(sc.WORKFLOW_VALIDATOR, b) for b in WORKFLOW_BODIES]
    + [(sc.TASK_DEFAULTS_VALIDATOR, b) for b in TASK_BODIES],
)
def test_fast_and_detailed_checks_agree(validator: sc.Validator, body: Any) -> None:
    detailed_ok = not list(validator.detailed.iter_errors(body))
    assert validator.is_valid_fast(body) == detailed_ok
    assert (not list(validator.iter_errors(body))) == detailed_ok
