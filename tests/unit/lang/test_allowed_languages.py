"""[expressions] allowed_languages at upload: mistral.lang refuses a disallowed language
with the path of every such expression."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral import lang

WF = """
version: '2.0'
wf:
  vars:
    a: <% 1 + 1 %>
  tasks:
    t1:
      action: std.echo output="{{ 1 + 2 }}"
      publish:
        x: "{{ task().result }}"
"""

ACTIONS = """
version: '2.0'
my_echo:
  base: std.echo
  base-input:
    output: "{{ _.x }}"
  input: [x]
"""


def test_every_language_by_default() -> None:
    assert lang.parse_workflow(WF).name == "wf"
    assert lang.parse_workflow(WF, allowed_languages=("yaql", "jinja")).name == "wf"


def test_a_disallowed_language_is_refused_with_its_paths() -> None:
    with pytest.raises(exc.DSLError) as e:
        lang.parse_workflows(WF, allowed_languages=("yaql",))
    problems = {p.path: p.message for p in e.value.errors}
    assert set(problems) == {"wf.tasks.t1.action", "wf.tasks.t1.publish.x"}, problems
    assert all("jinja" in m and "allowed_languages" in m for m in problems.values())
    with pytest.raises(exc.DSLError) as e:
        lang.parse_workflows(WF, allowed_languages=("jinja",))
    assert [p.path for p in e.value.errors] == ["wf.vars.a"]


def test_actions_and_workbooks_too() -> None:
    with pytest.raises(exc.DSLError, match="my_echo.base-input.output"):
        lang.parse_actions(ACTIONS, allowed_languages=["yaql"])
    workbook = "version: '2.0'\nname: wb\nactions:\n" + "\n".join(
        "  " + line for line in ACTIONS.splitlines()[2:])
    with pytest.raises(exc.DSLError, match="actions.my_echo.base-input.output"):
        lang.parse_workbook(workbook, allowed_languages=["yaql"])
    assert lang.parse_workbook(workbook, allowed_languages=["jinja"]).name == "wb"
