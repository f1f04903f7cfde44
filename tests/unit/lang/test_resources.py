"""Realistic workflows written for Mistral (tests/resources/workflows) parse as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from mistral.lang import WorkflowSpec, parse_actions, parse_workbook, parse_workflows, thaw, workflow_from_dict

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "workflows"


def _read(name: str) -> str:
    return (RESOURCES / name).read_text(encoding="utf-8")


def _wf(name: str, index: int = 0) -> WorkflowSpec:
    return parse_workflows(_read(name)).workflows[index]


def _all_files() -> list[str]:
    return sorted(p.name for p in RESOURCES.iterdir())


def test_there_are_a_dozen_resources() -> None:
    assert len(_all_files()) >= 12


@pytest.mark.parametrize("name", _all_files())
def test_every_resource_parses_and_round_trips(name: str) -> None:
    text = _read(name)
    if name.startswith("workbook"):
        for spec in parse_workbook(text).workflows:
            assert workflow_from_dict(spec.to_dict()) == spec
    elif name.startswith("actions"):
        assert parse_actions(text)
    else:
        for spec in parse_workflows(text).workflows:
            assert workflow_from_dict(spec.to_dict()) == spec


def test_direct_simple() -> None:
    spec = _wf("direct_simple.yaml")
    assert [p.name for p in spec.input] == ["vm_name", "image_ref", "flavor_ref"]
    create = spec.tasks["create_server"]
    assert create.action == "nova.servers_create"
    assert thaw(create.input) == {"name": "<% $.vm_name %>", "image": "<% $.image_ref %>",
                                  "flavor": "<% $.flavor_ref %>"}
    assert spec.tasks["wait_for_instance"].retry.count == 15
    assert thaw(spec.tasks["wait_for_instance"].input)["status"] == "ACTIVE"
    assert spec.graph.start_tasks == ("create_server",)


def test_with_items() -> None:
    spec = _wf("with_items.yaml")
    assert spec.tasks["create_servers"].with_items[0].var == "vm_name"
    assert spec.tasks["create_servers"].concurrency == 2
    assert spec.tasks["wait_for_servers"].retry.count == "<% $.vm_names.len() * 10 %>"
    zipped = spec.tasks["zip_items"].with_items
    assert [w.var for w in zipped] == ["x", "y"] and zipped[1].source == (1, 2, 3)
    assert set(spec.graph.start_tasks) == {"create_servers", "zip_items"}


def test_join() -> None:
    spec = _wf("join.yaml")
    assert spec.tasks["wait_for_all_registrations"].join == "all"
    assert len(spec.graph.inbound["wait_for_all_registrations"]) == 3
    assert spec.tasks["wait_for_two"].join == 2
    assert spec.tasks["wait_for_one"].join == "one"
    assert len(spec.graph.start_tasks) == 3


def test_reverse() -> None:
    spec = _wf("reverse.yaml")
    assert spec.type == "reverse"
    closure = spec.graph.requires_closure("format_volume")
    assert closure[-2:] == ("attach_volume", "format_volume")
    assert set(closure[:2]) == {"create_vm", "create_volume"}
    assert spec.tasks["attach_volume"].retry.count == 3  # from task-defaults


def test_workbook_with_adhoc_actions() -> None:
    wb = parse_workbook(_read("workbook_adhoc.yaml"))
    assert wb.name == "my_workbook"
    email = next(a for a in wb.actions if a.name == "local_email")
    assert email.base == "std.email" and [p.name for p in email.input] == ["subject", "body"]
    assert thaw(next(a for a in wb.actions if a.name == "greet").base_input) == {
        "output": "Hello, <% $.name %>"}
    main = next(w for w in wb.workflows if w.name == "main")
    assert main.tasks["task2"].workflow == "my_workbook.sub"
    assert main.tasks["task1"].action == "local_email"


def test_jinja() -> None:
    spec = _wf("jinja.yaml")
    assert spec.tasks["greet"].with_items[0].source == "{{ _.names }}"
    assert [t.target for t in spec.tasks["greet"].on_success] == ["report", "nothing"]
    assert "{% for g in _.greetings %}" in spec.tasks["report"].input["output"]


def test_engine_commands() -> None:
    check = _wf("engine_commands.yaml").tasks["check"]
    assert [(t.target, t.is_engine_command) for t in check.on_success] == [
        ("fail", True), ("pause", True), ("succeed", True), ("process", False)]
    assert thaw(check.on_success[0].params) == {"msg": "value too high"}


def test_advanced_publish() -> None:
    produce = _wf("advanced_publish.yaml").tasks["produce"]
    assert thaw(produce.on_success_publish.global_) == {"shared": "<% task().result %>"}
    assert [t.target for t in produce.on_success] == ["consume", "fallback"]
    assert produce.on_error[0].target == "handle_error"
    assert produce.on_complete == () and produce.on_complete_publish is not None


def test_subworkflow_and_multi_workflow_json() -> None:
    parent, child = parse_workflows(_read("subworkflow.yaml")).workflows
    assert parent.tasks["call_child"].workflow == "child"
    assert thaw(parent.tasks["call_child"].input) == {"extra": 1, "item": "<% $.items[0] %>"}
    assert child.input[1].default == 0
    one, two = parse_workflows(_read("multi_workflow.json")).workflows
    assert one.graph.start_tasks == ("a",) and two.type == "reverse"


def test_on_clause_forms() -> None:
    start = _wf("on_clause_forms.yaml").tasks["start"]
    assert [t.target for t in start.on_success] == ["single"]
    assert [t.target for t in start.on_error] == ["a", "b"]
    assert [(t.target, t.condition) for t in start.on_complete] == [("c", "<% $.c %>"), ("d", None)]
