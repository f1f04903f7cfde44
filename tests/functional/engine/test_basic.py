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
