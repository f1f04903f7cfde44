"""Workbooks and ad-hoc action documents."""

from __future__ import annotations

import pytest

from mistral.lang import (ActionSpec, InputParam, action_from_dict, parse_actions, parse_workbook, thaw,
                          workbook_from_dict)

from tests.unit.lang.helpers import dedent, find, problems_of

WORKBOOK = """
version: '2.0'
name: my_wb
description: A workbook
tags: [t1]
actions:
  greet:
    base: std.echo output="Hello <% $.name %>"
    input:
      - name: world
    output: <% $ %>
  mail:
    base: std.email
    base-input:
      to_addrs: [<% $.to %>]
      body: <% $.body %>
    input: [to, body]
workflows:
  main:
    tasks:
      hello:
        action: greet name=bob
        on-success: [sub]
      sub:
        workflow: helper
  helper:
    type: reverse
    tasks:
      a: {}
      b:
        requires: a
"""


def test_workbook_parses_into_workflows_and_actions() -> None:
    wb = parse_workbook(dedent(WORKBOOK))
    assert (wb.name, wb.description, wb.tags) == ("my_wb", "A workbook", ("t1",))
    assert [w.name for w in wb.workflows] == ["main", "helper"]
    assert [a.name for a in wb.actions] == ["greet", "mail"]
    assert wb.workflows[1].type == "reverse"
    greet = wb.actions[0]
    assert greet.base == "std.echo"
    assert thaw(greet.base_input) == {"output": "Hello <% $.name %>"}
    assert greet.input == (InputParam("name", "world", True),)
    assert greet.output == "<% $ %>"
    assert thaw(wb.to_dict())["name"] == "my_wb"


def test_workbook_round_trip() -> None:
    import json

    from mistral.lang import WorkbookSpec

    wb = parse_workbook(dedent(WORKBOOK))
    assert workbook_from_dict(json.loads(json.dumps(wb.to_dict()))) == wb


def test_workbook_may_have_only_workflows_or_only_actions() -> None:
    assert parse_workbook("version: '2.0'\nname: w\nworkflows:\n  a:\n    tasks: {t: {}}\n").actions \
        == ()
    wb = parse_workbook("version: '2.0'\nname: w\nactions:\n  a:\n    base: std.noop\n")
    assert wb.workflows == () and wb.actions[0].name == "a"


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("version: '2.0'\nworkflows: {}\n", "", "missing required key 'name'"),
        ("name: w\n", "", "missing required key 'version'"),
        ("version: '2.0'\nname: w\nflows: {}\n", "flows", "unknown key"),
        ("version: '2.0'\nname: [w]\n", "name", "must be a string"),
        ("version: '2.0'\nname: w\nworkflows: [a]\n", "workflows", "must be a mapping"),
        ("version: '2.0'\nname: w\nworkflows:\n  a:\n    tasks:\n      t:\n        on-success: [x]\n",
         "workflows.a.tasks.t.on-success[0]", "undefined task 'x'"),
        ("version: '2.0'\nname: w\nactions:\n  a:\n    base-input: {}\n", "actions.a",
         "missing required key 'base'"),
        ("version: '2.0'\nname: w\nactions:\n  a:\n    base: std.echo\n    extra: 1\n",
         "actions.a.extra", "unknown key"),
    ],
)
def test_workbook_problems(text: str, path: str, fragment: str) -> None:
    problem = find(problems_of(text, parse_workbook), path)
    assert fragment in problem.message


def test_workbook_missing_version_is_reported_once() -> None:
    problems = problems_of("name: w\n", parse_workbook)
    assert [p.message for p in problems].count(
        "missing required key 'version' (use version: '2.0')") == 1
    assert len(problems) == 1


def test_action_document() -> None:
    actions = parse_actions(dedent("""
        version: '2.0'
        http_post:
          description: posts
          tags: [net]
          base: std.http
          base-input:
            url: <% $.url %>
            method: POST
          input:
            - url
            - timeout: 10
          output: <% $.content %>
        echo:
          base: std.echo output=<% $.text %>
          base-input:
            other: 1
    """))
    post, echo = actions
    assert isinstance(post, ActionSpec)
    assert (post.name, post.base, post.description, post.tags) == (
        "http_post", "std.http", "posts", ("net",))
    assert thaw(post.base_input) == {"url": "<% $.url %>", "method": "POST"}
    assert post.input == (InputParam("url"), InputParam("timeout", 10, True))
    assert post.output == "<% $.content %>"
    assert thaw(echo.base_input) == {"other": 1, "output": "<% $.text %>"}


def test_action_round_trip() -> None:
    (action,) = parse_actions("version: '2.0'\na:\n  base: std.echo output=1\n  input: [x]\n")
    assert action_from_dict(action.to_dict()) == action


def test_action_base_input_may_be_an_expression() -> None:
    (action,) = parse_actions("version: '2.0'\na:\n  base: std.echo\n  base-input: <% $.all %>\n")
    assert action.base_input == "<% $.all %>"


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("version: '2.0'\n", "", "defines no action"),
        ("version: '2.0'\na: 1\n", "a", "must be a mapping"),
        ("version: '2.0'\na:\n  input: [x]\n", "a", "missing required key 'base'"),
        ("version: '2.0'\na:\n  base: ''\n", "a.base", "must not be empty"),
        ("version: '2.0'\na:\n  base: std.echo x=\"open\n", "a.base", "cannot parse"),
        ("version: '2.0'\na:\n  base: std.echo\n  base-input: [1]\n", "a.base-input",
         "mapping or an expression"),
        ("version: '2.0'\na:\n  base: std.echo\n  input: [x, x]\n", "a.input[1]", "declared twice"),
        ("version: '2.0'\na:\n  base: std.echo\n  output: <% $. %>\n", "a.output", "Invalid YAQL"),
        ("version: '2.0'\na:\n  base: std.echo\n  type: x\n", "a.type", "unknown key"),
        ("version: '2.0'\na:\n  base: std.echo\n  tags: x\n", "a.tags", "must be a list"),
        ("version: '2.0'\na:\n  base: std.echo\n  description: 1\n", "a.description",
         "must be a string"),
        ("version: '2.0'\na:\n  base: std.echo\n  input: {x: 1}\n", "a.input", "must be a list"),
        ("version: '2.0'\na:\n  base: std.echo\n  base-input: {x: <% $. %>}\n", "a.base-input.x",
         "Invalid YAQL"),
    ],
)
def test_action_problems(text: str, path: str, fragment: str) -> None:
    problem = find(problems_of(text, parse_actions), path)
    assert fragment in problem.message
