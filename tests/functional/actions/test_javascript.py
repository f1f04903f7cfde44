"""std.javascript / std.js on the real V8 engine (mini-racer), alone and in a workflow."""

from __future__ import annotations

import time

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry
from mistral.actions.base import ActionSettings
from mistral.cmd import launch
from tests.functional.engine.harness import Harness


def _run(script: str, context: object = None, settings: ActionSettings | None = None,
         actx: ActionContext | None = None, name: str = "std.javascript") -> object:
    registry = ActionRegistry.load(settings=settings)
    action = registry.build(name, {"script": script, "context": context})
    return action.run(actx or ActionContext())


def test_script_and_context_give_a_json_result() -> None:
    script = "var total = 0;\nfor (var i = 0; i < $.n.length; i++) { total += $.n[i]; }\n" \
             "return {total: total, who: $.who, none: null, nested: [1, 'x', {a: true}]};"
    assert _run(script, {"n": [1, 2, 3.5], "who": "me"}) == {
        "total": 6.5, "who": "me", "none": None, "nested": [1, "x", {"a": True}]}
    assert _run("return $ * 2;", 21, name="std.js") == 42
    assert _run("var a = 1;") is None  # returns undefined


def test_a_javascript_error_names_the_line() -> None:
    with pytest.raises(exc.ActionError, match=r"^std\.javascript: line 3: ReferenceError"):
        _run("var a = 1;\nvar b = 2;\nreturn nosuch(a, b);")
    with pytest.raises(exc.ActionError, match=r"^std\.javascript: line 2: SyntaxError"):
        _run("var a = 1;\nvar b = ;\nreturn b;")
    with pytest.raises(exc.ActionError, match=r"^std\.javascript: line 1: Error"):
        _run("throw new Error('no way');")


def test_an_endless_loop_stops_at_the_time_limit() -> None:
    with pytest.raises(exc.ActionError, match="did not finish within 0.3 s"):
        _run("while (true) {}", settings=ActionSettings(js_time_limit=0.3))
    # the action's own timeout bounds it too
    deadline = ActionContext(deadline=time.monotonic() + 0.3)
    with pytest.raises(exc.ActionError, match="did not finish within"):
        _run("for (;;) {}", actx=deadline)


def test_a_runaway_allocation_stops_at_the_memory_limit() -> None:
    with pytest.raises(exc.ActionError, match=r"went over its memory limit \(32 MiB\)"):
        _run("var a = [];\nwhile (true) { a.push('some text ' + a.length); }",
             settings=ActionSettings(js_memory_limit=32 * 1024 * 1024, js_time_limit=30))


def test_in_a_workflow(sqlite_database) -> None:
    h = Harness(sqlite_database)
    h.define("""
version: '2.0'
wf:
  input: [items]
  tasks:
    count:
      action: std.js
      input:
        context: <% $.items %>
        script: "return $.filter(function (x) { return x > 1; }).length;"
      publish:
        n: <% task().result %>
    broken:
      action: std.javascript script="return [1, 2" context=null
""")
    wf = h.run("wf", {"items": [1, 2, 3]})
    assert h.task(wf["id"], "count")["published"] == {"n": 2}
    assert h.task_states(wf["id"])["broken"] == "ERROR"
    assert "std.javascript: line 1: SyntaxError" in h.task(wf["id"], "broken")["state_info"]


@pytest.mark.parametrize("value", ["pyv8", "v8eval"])
def test_an_unsupported_js_implementation_is_refused_at_start(tmp_path, capsys, value) -> None:
    conf = tmp_path / "mistral.conf"
    conf.write_text(f"[DEFAULT]\ntransport_url = fake:/\njs_implementation = {value}\n"
                    f"[coordination]\nbackend_url = file://{tmp_path}/coord\n")
    assert launch.main(["--config-file", str(conf), "--server", "executor"]) == 1
    err = capsys.readouterr().err
    assert f"js_implementation = {value} is not available" in err
    assert "set js_implementation = py_mini_racer" in err
