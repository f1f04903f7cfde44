from __future__ import annotations

from tests.functional.engine.harness import Harness, result_of

CHAIN = """
version: '2.0'
chain:
  input: [name, greeting: Hello]
  output:
    msg: <% $.msg %>
  tasks:
    t1:
      action: std.echo output="<% $.greeting %>, <% $.name %>"
      publish:
        msg: <% task().result %>
      on-success: [t2]
    t2:
      action: std.noop
"""


def test_chain_runs_to_success_with_publish_and_output(h: Harness) -> None:
    h.define(CHAIN)
    wf = h.run("chain", {"name": "Ann"})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"msg": "Hello, Ann"}
    assert h.task_states(wf["id"]) == {"t1": "SUCCESS", "t2": "SUCCESS"}
    t1 = h.task(wf["id"], "t1")
    assert t1["published"] == {"msg": "Hello, Ann"}
    assert result_of(t1) == "Hello, Ann"


DEFAULTS = """
version: '2.0'
defaults:
  input:
    - data: {a: 1, b: [1, 2]}
    - nums: [3, 1]
  tasks:
    t:
      action: pick
      publish:
        got: <% task().result %>
  output:
    data: <% $.data %>
    got: <% $.got %>
"""

PICK = """
version: '2.0'
pick:
  base: std.echo
  base-input:
    output: <% $.opts %>
  input:
    - opts: {deep: [1, {x: 2}]}
"""


def test_mapping_and_list_defaults_of_workflow_and_action_input_are_stored(h: Harness) -> None:
    h.define_actions(PICK)
    h.define(DEFAULTS)
    wf = h.run("defaults")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["input"] == {"data": {"a": 1, "b": [1, 2]}, "nums": [3, 1]}
    assert wf["output"] == {"data": {"a": 1, "b": [1, 2]}, "got": {"deep": [1, {"x": 2}]}}
