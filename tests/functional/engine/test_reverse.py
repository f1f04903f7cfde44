from __future__ import annotations

from tests.functional.engine.harness import Harness

RWF = """
version: '2.0'
rwf:
  type: reverse
  output:
    got: <% $.b_out %>
  tasks:
    a:
      action: std.echo output=A
      publish: {a_out: <% task().result %>}
    b:
      action: std.echo output="<% $.a_out %>B"
      publish: {b_out: <% task().result %>}
      requires: [a]
    c:
      action: std.noop
      requires: [b]
    unrelated:
      action: std.noop
"""


def test_reverse_runs_only_what_target_requires(h: Harness) -> None:
    h.define(RWF)
    wf = h.run("rwf", task_name="b")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert h.task_states(wf["id"]) == {"a": "SUCCESS", "b": "SUCCESS"}
    assert wf["output"] == {"got": "AB"}


def test_reverse_failure_stops_and_fails(h: Harness) -> None:
    h.define(RWF.replace("action: std.echo output=A", "action: std.fail"))
    wf = h.run("rwf", task_name="c")
    assert wf["state"] == "ERROR"
    assert h.task_states(wf["id"]) == {"a": "ERROR"}
