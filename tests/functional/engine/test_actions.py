"""Ad-hoc actions and running actions directly (start_action)."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from tests.functional.engine.harness import CTX, Harness, result_of

ADHOC = """
version: '2.0'
greet:
  base: std.echo
  base-input:
    output: "Hello, <% $.name %>"
  input:
    - name
    - punctuation: "!"
  output: <% $ + '!' %>
loud_greet:
  base: greet
  base-input:
    name: <% $.who %>
  input: [who]
"""


def test_adhoc_action_in_workflow(h: Harness) -> None:
    h.define_actions(ADHOC)
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: greet name=Bob
    t2:
      action: loud_greet who=Eve
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert result_of(h.task(wf["id"], "t")) == "Hello, Bob!"
    assert result_of(h.task(wf["id"], "t2")) == "Hello, Eve!"
    [action] = h.actions(h.task(wf["id"], "t")["id"])
    assert action["name"] == "greet"
    assert action["input"] == {"name": "Bob"}
    req = h.executor.sent[0]
    assert req.action_name == "std.echo"


def test_adhoc_action_with_a_mapping_output_and_input_default(h: Harness) -> None:
    # the spec keeps a mapping frozen: the action row stores it as JSON all the same
    h.define_actions("""
version: '2.0'
pair:
  base: std.echo
  base-input: {output: <% $.v %>}
  input: [v, opts: {}]
  output: {twice: <% $ * 2 %>, list: [<% $ %>]}
""")
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: pair v=4
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert result_of(h.task(wf["id"], "t")) == {"twice": 8, "list": [4]}


def test_adhoc_action_bad_input(h: Harness) -> None:
    h.define_actions(ADHOC)
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: greet nome=Bob
""")
    wf = h.run("wf")
    info = h.task(wf["id"], "t")["state_info"]
    assert "greet" in info and "nome" in info and "name" in info


def test_start_action_async_then_result(h: Harness) -> None:
    ax = h.engine.start_action(CTX, "std.echo", {"output": 7})
    assert ax["state"] == "RUNNING"
    h.run_until_idle()
    with h.db.transaction(CTX, readonly=True) as tx:
        row = tx.action_executions.get(ax["id"])
        assert (row.state, row.output) == ("SUCCESS", {"result": 7})


def test_start_action_sync_saved_and_unsaved(h: Harness) -> None:
    saved = h.engine.start_action(CTX, "std.echo", {"output": 1}, params={"run_sync": True})
    assert (saved["state"], saved["output"]) == ("SUCCESS", {"result": 1})
    unsaved = h.engine.start_action(
        CTX, "std.echo", {"output": 2}, params={"run_sync": True, "save_result": False})
    assert unsaved["output"] == {"result": 2}
    with h.db.transaction(CTX, readonly=True) as tx:
        assert tx.action_executions.count() == 1


def test_start_adhoc_action_sync_transforms_output(h: Harness) -> None:
    h.define_actions(ADHOC)
    ax = h.engine.start_action(CTX, "greet", {"name": "Al"}, params={"run_sync": True})
    assert ax["output"] == {"result": "Hello, Al!"}


def test_start_action_errors(h: Harness) -> None:
    with pytest.raises(exc.NotFoundError):
        h.engine.start_action(CTX, "nope.nope", {})
    with pytest.raises(exc.InputError):
        h.engine.start_action(CTX, "std.echo", {"bad": 1})
    with pytest.raises(exc.InputError):
        h.engine.start_action(CTX, "std.async_noop", {}, params={"run_sync": True})
    with h.db.transaction(CTX, readonly=True) as tx:
        assert tx.action_executions.count() == 0


def test_async_action_completes_through_api_call(h: Harness) -> None:
    from mistral.engine.interface import ActionResult

    h.define("""
version: '2.0'
wf:
  tasks:
    wait_for_human:
      action: std.async_noop
      publish: {answer: <% task().result %>}
""")
    wf_id = h.start("wf")
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "RUNNING"
    [action] = h.actions(h.task(wf_id, "wait_for_human")["id"])
    assert action["is_sync"] is False
    h.engine.on_action_complete(CTX, action["id"], ActionResult(data="yes"))
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert h.task(wf_id, "wait_for_human")["published"] == {"answer": "yes"}


def test_workbook_names_resolve_inside_the_workbook(h: Harness) -> None:
    h.define_workbook("""
version: '2.0'
name: wb
actions:
  shout:
    base: std.echo
    base-input:
      output: <% $.text %>!
    input: [text]
workflows:
  main:
    output:
      got: <% $.got %>
    tasks:
      call:
        workflow: helper
        publish:
          got: <% task().result.said %>
  helper:
    output:
      said: <% $.said %>
    tasks:
      say:
        action: shout text=hey
        publish:
          said: <% task().result %>
""")
    wf = h.run("wb.main")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"got": "hey!"}
