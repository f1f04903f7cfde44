"""2014 (v1) workbooks converted to v2 specs (``mistral.lang.v1``), and the reverse
controller's transitions they use — plain data, no database."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pytest

from mistral import expressions
from mistral.exceptions import DSLError
from mistral.lang import v1
from mistral.workflow import controller
from mistral.workflow.base import FlowState, TaskOutcome
from mistral.workflow.commands import RunTask

RESOURCES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "v1"


def demo(name: str) -> str:
    return (RESOURCES / f"{name}.yaml").read_text().replace("BASE_URL", "http://h:1")


def test_the_echo_demo_becomes_a_reverse_workflow_over_std_echo() -> None:
    wb = v1.convert(demo("echo_greeting"), "greetings")
    assert wb.name == "greetings" and wb.events == ()
    wf = wb.workflow
    assert (wf.name, wf.type) == ("Workflow", "reverse")
    assert [p.name for p in wf.input] == ["person"] and wf.input[0].default is None
    greet = wf.tasks["build_greeting"]
    assert greet.requires == ("build_full_name",)
    assert greet.action == "MyService.build_greeting"
    assert dict(greet.input["parameters"]) == {"full_name": "<% $.f_name %>"}
    assert dict(greet.input["output"]) == {"greeting": "Hello, John Doe!"}
    full = wf.tasks["build_full_name"]
    assert dict(full.publish) == {"task": {"build_full_name": "<% task().result %>"},
                                  "f_name": "<% task().result.full_name %>"}
    actions = {a.name: a for a in wb.workbook.actions}
    assert actions["MyService.build_full_name"].base == "std.echo"
    assert wb.actions == {"build_full_name": "MyService:build_full_name",
                          "build_greeting": "MyService:build_greeting"}


def test_the_rest_demo_becomes_std_http_and_its_event_a_cron_trigger() -> None:
    wb = v1.convert(demo("rest_demo"), "myWorkbook")
    assert wb.events == (v1.V1Event("task4", "task4", "*/1 * * * *"),)
    task4 = wb.workflow.tasks["task4"]
    assert task4.requires == ("task2", "task3")
    assert task4.input["url"] == "http://h:1/tasks/task4"
    action = next(a for a in wb.workbook.actions if a.name == "MyRest.task4")
    assert action.base == "std.http" and action.output == "<% $.content %>"
    assert dict(action.base_input)["method"] == "GET"
    assert dict(action.base_input)["params"] == "<% $.parameters %>"


def test_expressions_publish_output_and_methods() -> None:
    wb = v1.convert("""
Services:
  Nova:
    type: REST_API
    parameters: {baseUrl: '{$.nova_url}/v2'}
    actions:
      create-vm:
        parameters: {url: /servers, method: post}
        headers: {X-Auth-Token: $.token}
        output: {vm_id: $.server.id, literal: 1}
Workflow:
  tasks:
    create:
      action: Nova:create-vm
      parameters: {name: $.name, flavor: 2, note: 'vm {$.name} of {$.owner}'}
      headers: {X-Trace: abc}
      publish: {vm: vm_id, first: '$.ids[0]', odd: 'some-key'}
""", "wb")
    task = wb.workflow.tasks["create"]
    assert task.input["url"] == "<% $.nova_url %>/v2/servers"
    assert dict(task.input["headers"]) == {"X-Trace": "abc", "X-Auth-Token": "<% $.token %>"}
    assert dict(task.input["parameters"]) == {
        "name": "<% $.name %>", "flavor": 2, "note": "vm <% $.name %> of <% $.owner %>"}
    publish = dict(task.publish)
    assert publish["vm"] == "<% task().result.vm_id %>"
    assert publish["first"] == "<% task().result.ids[0] %>"
    assert publish["odd"] == "<% task().result.get('some-key') %>"
    assert sorted(p.name for p in wb.workflow.input) == ["name", "nova_url", "owner", "token"]
    action = wb.workbook.actions[0]
    assert dict(action.base_input)["method"] == "POST"
    assert dict(action.base_input)["body"] == "<% $.parameters %>"
    assert dict(action.output) == {"vm_id": "<% $.content.server.id %>", "literal": 1}
    # the converted expressions evaluate as v1 meant them
    result = {"content": {"server": {"id": "vm-1"}}}
    assert expressions.evaluate_recursively(action.output, result)["vm_id"] == "vm-1"


def test_round_trip_through_a_dict() -> None:
    wb = v1.convert(demo("rest_demo"), "myWorkbook")
    again = v1.V1Workbook.from_dict(wb.to_dict())
    assert again.workbook == wb.workbook and again.events == wb.events
    assert again.actions == wb.actions


BAD = """
Services:
  Mail:
    type: SEND_EMAIL
    actions: {send: {}}
  Web:
    type: REST_API
    actions: {get: {parameters: {url: /x}}}
  Echo:
    type: ECHO
    actions:
      say: {output: hi, colour: red}
Workflow:
  tasks:
    a:
      action: Echo:say
      requires: [ghost]
    b:
      action: Nowhere:say
      on-success: [a, phantom]
    c:
      action: Echo:shout
      requires: [d]
    d:
      action: Echo:say
      requires: c
      repeat: {iterations: 2}
  events:
    often:
      type: hourly
      tasks: nope
      parameters: {}
"""


def test_bad_documents_name_every_problem_at_its_v1_place() -> None:
    with pytest.raises(DSLError) as e:
        v1.convert(BAD, "bad")
    found = {p.path: p.message for p in e.value.errors}
    assert "SEND_EMAIL" in found["Services.Mail.type"] and "REST_API" in found["Services.Mail.type"]
    assert "baseUrl" in found["Services.Web.parameters"]
    assert "colour" in found["Services.Echo.actions.say.colour"]
    assert found["Workflow.tasks.a.requires[0]"] == "task 'ghost' does not exist in this workbook"
    assert "unknown service 'Nowhere'" in found["Workflow.tasks.b.action"]
    assert "phantom" in found["Workflow.tasks.b.on-success[1]"]
    assert "no action 'shout'" in found["Workflow.tasks.c.action"]
    assert "c -> d -> c" in found.get("Workflow.tasks.c.requires", "") + found.get(
        "Workflow.tasks.d.requires", "")
    assert "repeat" in found["Workflow.tasks.d.repeat"]
    assert "periodic" in found["Workflow.events.often.type"]
    assert "nope" in found["Workflow.events.often.tasks"]
    assert "cron" in found["Workflow.events.often.parameters.cron-pattern"]
    lines = {p.path: p.line for p in e.value.errors}
    assert lines["Workflow.tasks.a.requires[0]"] == 17


@pytest.mark.parametrize("text, where", [
    ("[1, 2]", ""),
    ("Services: {}\n", "Workflow"),
    ("Services: {}\nWorkflow: {tasks: {}}\n", "Workflow.tasks"),
    ("Services: {}\nWorkflow: {tasks: {a: {action: 'X:y'}}}\nExtra: 1\n", "Extra"),
    ("Services: {E: {type: ECHO, actions: {s: {}}}}\nWorkflow: {tasks: {a: {action: 'E:s', "
     "parameters: {x: '$.(('}}}}\n", "Workflow.tasks.a.parameters.x"),
])
def test_more_bad_documents(text: str, where: str) -> None:
    with pytest.raises(DSLError) as e:
        v1.convert(text, "bad")
    assert where in [p.path for p in e.value.errors], e.value.errors


FLOW = """
Services:
  E:
    type: ECHO
    actions: {s: {output: ok}}
Workflow:
  tasks:
    prepare: {action: 'E:s'}
    main:
      action: 'E:s'
      requires: [prepare]
      on-success:
        - notify: $.loud
        - archive
      on-error: [cleanup]
      on-finish: report
    notify: {action: 'E:s', requires: [audit]}
    audit: {action: 'E:s'}
    archive: {action: 'E:s'}
    cleanup: {action: 'E:s'}
    report: {action: 'E:s'}
    unrelated: {action: 'E:s'}
"""


def _evaluate(value: Any, data: Mapping[str, Any]) -> Any:
    return expressions.evaluate_recursively(value, data)


def _done(spec: Any, name: str, flow: FlowState, state: str = "SUCCESS",
          ctx: dict | None = None) -> Any:
    return controller.on_task_complete(spec, TaskOutcome(name, name + "-id", state, ctx or {}),
                                       {}, flow, _evaluate)


def test_transitions_of_a_converted_reverse_workflow() -> None:
    spec = v1.convert(FLOW, "wb").workflow
    d = controller.start(spec, {}, "main")
    assert [c.task_name for c in d.commands] == ["prepare"]
    d = _done(spec, "prepare", d.flow)
    assert [c.task_name for c in d.commands] == ["main"]
    # main succeeds: archive and report are wanted (no requirements: they run now);
    # notify is wanted when the condition holds, with audit that it requires
    d = _done(spec, "main", d.flow, ctx={"loud": True})
    ran = {c.task_name: c for c in d.commands if isinstance(c, RunTask)}
    assert sorted(ran) == ["archive", "audit", "report"]
    assert ran["archive"].merge_from == ("main",)  # it sees what main published
    assert "notify" in d.flow.wanted and "unrelated" not in d.flow.wanted
    d = _done(spec, "audit", d.flow)
    assert [c.task_name for c in d.commands] == ["notify"]
    for name in ("notify", "archive", "report"):
        d = _done(spec, name, d.flow)
        assert d.commands == ()


def test_an_error_takes_on_error_and_is_handled() -> None:
    spec = v1.convert(FLOW, "wb").workflow
    flow = _done(spec, "prepare", controller.start(spec, {}, "main").flow).flow
    d = _done(spec, "main", flow, state="ERROR", ctx={"loud": True})
    assert sorted(c.task_name for c in d.commands) == ["cleanup", "report"]
    assert d.error_handled is True
    # without a transition for an error, it is not handled (as before)
    d = _done(spec, "prepare", controller.start(spec, {}, "main").flow, state="ERROR")
    assert d.commands == () and d.error_handled is False
    # a false condition takes nothing
    d = _done(spec, "main", flow, ctx={"loud": False})
    assert sorted(c.task_name for c in d.commands) == ["archive", "report"]
