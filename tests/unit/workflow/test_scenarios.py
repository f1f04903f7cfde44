"""Workflow scenarios as data, run straight through the pure controller."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
import yaml

from mistral import lang
from tests.unit.workflow.rehearse import rehearse

SCENARIOS = yaml.safe_load(
    (pathlib.Path(__file__).parents[2] / "resources" / "scenarios" / "controller.yaml")
    .read_text())


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda c: c["name"])
def test_scenario(case: dict[str, Any]) -> None:
    spec = lang.parse_workflows("version: '2.0'\n" + case["workflow"]).workflows[0]
    r = rehearse(spec, case.get("outcomes") or {}, case.get("input"), case.get("task_name"))
    expect = case["expect"]
    assert r.sequence == expect["sequence"]
    assert r.state == expect["state"]
    if "state_info" in expect:
        assert r.state_info == expect["state_info"]
