"""with-items: one or several lists, concurrency, ordered results, failures."""

from __future__ import annotations

from tests.functional.engine.harness import Harness, result_of


def test_results_are_ordered_and_published(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  input: [names]
  output:
    greetings: <% $.greetings %>
  tasks:
    greet:
      with-items: name in <% $.names %>
      action: std.echo output="hi <% $.name %>"
      publish:
        greetings: <% task().result %>
""")
    wf = h.run("wf", {"names": ["a", "b", "c", "d"]})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"greetings": ["hi a", "hi b", "hi c", "hi d"]}
    task = h.task(wf["id"], "greet")
    assert (task["items_total"], task["items_done"], task["items_failed"]) == (4, 4, 0)
    assert len(h.actions(task["id"])) == 4


def test_several_lists_are_zipped(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items:
        - x in <% [1, 2, 3] %>
        - y in <% ['a', 'b', 'c'] %>
      action: std.echo output="<% $.x %><% $.y %>"
""")
    wf = h.run("wf")
    assert result_of(h.task(wf["id"], "t")) == ["1a", "2b", "3c"]


def test_lists_of_different_length_fail_the_task_with_reason(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items:
        - x in <% [1, 2, 3] %>
        - y in <% [1] %>
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert "different lengths" in h.task(wf["id"], "t")["state_info"]


def test_concurrency_limits_running_units(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% range(7) %>
      concurrency: 2
      action: std.echo output=<% $.i * 10 %>
""")
    wf_id = h.start("wf")
    task = h.task(wf_id, "t")
    assert len(h.executor.queue) == 2
    running_at_most = 0
    while h.executor.queue:
        running_at_most = max(running_at_most, len(h.executor.queue))
        ctx, req = h.executor.queue.popleft()
        result, _ = h.executor._run(ctx, req)
        h.engine.on_action_complete(ctx, req.action_ex_id, result)
    assert running_at_most == 2
    assert len(h.actions(task["id"])) == 7
    assert h.execution(wf_id)["state"] == "SUCCESS"


def test_concurrency_completes_in_order(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% range(7) %>
      concurrency: 3
      action: std.echo output=<% $.i * 10 %>
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"
    assert result_of(h.task(wf["id"], "t")) == [0, 10, 20, 30, 40, 50, 60]


def test_empty_list_succeeds_with_empty_result(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% [] %>
      action: std.noop
      on-success: [after]
    after:
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"
    assert result_of(h.task(wf["id"], "t")) == []
    assert h.task_states(wf["id"])["after"] == "SUCCESS"


def test_failed_item_fails_task(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% [1, 2, 3] %>
      action: std.fail error_data="item <% $.i %>"
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    task = h.task(wf["id"], "t")
    assert task["state"] == "ERROR"
    assert task["items_failed"] >= 1
    assert "item" in task["state_info"]


def test_not_a_list_is_a_clear_error(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% 5 %>
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert "must be a list" in h.task(wf["id"], "t")["state_info"]


def test_paused_execution_starts_no_new_item_until_resumed(h: Harness) -> None:
    from tests.functional.engine.harness import CTX

    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      with-items: i in <% range(5) %>
      concurrency: 2
      action: std.echo output=<% $.i %>
""")
    wf_id = h.start("wf")
    h.engine.pause_workflow(CTX, wf_id)
    h.run_until_idle()
    task = h.task(wf_id, "t")
    assert task["items_done"] == 2 and len(h.actions(task["id"])) == 2
    h.engine.resume_workflow(CTX, wf_id)
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "SUCCESS"
    assert result_of(h.task(wf_id, "t")) == [0, 1, 2, 3, 4]


def test_items_over_large_data_see_their_item_and_the_whole_context(h: Harness) -> None:
    """Launching items builds the task's data once and overlays each item on it."""
    h.define("""
version: '2.0'
wf:
  input: [rows, blob]
  vars:
    factor: 10
  tasks:
    t:
      with-items:
        - row in <% $.rows %>
        - n in <% range(len($.rows)) %>
      action: std.echo
      input:
        output:
          yaql: <% $.row.k * $.factor + $.n %>
          jinja: "{{ _.row.k }}-{{ _.blob | length }}"
          blob_ok: <% len($.blob) = 500 %>
      publish:
        r: <% task().result %>
""")
    rows = [{"k": i} for i in range(40)]
    blob = [{"a": i, "b": [i, str(i)]} for i in range(500)]
    wf = h.run("wf", {"rows": rows, "blob": blob})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"]["r"] == [
        {"yaql": i * 11, "jinja": f"{i}-500", "blob_ok": True} for i in range(40)
    ]


def test_items_launched_later_see_a_global_published_meanwhile(h: Harness) -> None:
    """With concurrency, later items are launched by later events: what they see is
    the execution's data at that time (kept data is reused only while the execution
    row is unchanged)."""
    h.define("""
version: '2.0'
wf:
  vars:
    g: before
  tasks:
    t:
      with-items: i in <% [0, 1, 2, 3, 4, 5] %>
      concurrency: 1
      action: std.echo output="<% $.i %>:<% $.g %>"
    other:
      action: std.noop
      on-success:
        publish:
          global:
            g: after
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    out = result_of(h.task(wf["id"], "t"))
    assert out[0] == "0:before" and out[-1] == "5:after", out
    assert [x.split(":")[0] for x in out] == [str(i) for i in range(6)]
