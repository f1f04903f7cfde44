"""Shared helpers for the DSL tests."""

from __future__ import annotations

import textwrap
from typing import Callable

import pytest

from mistral.exceptions import DSLError, DSLProblem
from mistral.lang import WorkflowSpec, parse_workflows


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def wf(body: str, name: str = "wf") -> WorkflowSpec:
    """Parse one workflow given its body (indented under ``name:``)."""
    text = "version: '2.0'\n" + f"{name}:\n" + textwrap.indent(dedent(body), "  ")
    return parse_workflows(text).workflows[0]


def problems_of(text: str, parse: Callable[[str], object] = parse_workflows) -> list[DSLProblem]:
    with pytest.raises(DSLError) as err:
        parse(dedent(text))
    assert err.value.errors, "a DSLError must carry its problems"
    return err.value.errors


def wf_problems(body: str) -> list[DSLProblem]:
    text = "version: '2.0'\nwf:\n" + textwrap.indent(dedent(body), "  ")
    return problems_of(text)


def find(problems: list[DSLProblem], path: str) -> DSLProblem:
    for p in problems:
        if p.path == path:
            return p
    raise AssertionError(f"no problem at {path}; got {[str(p) for p in problems]}")
