"""The pure controller driven with plain data: a spec, outcomes, counters — no database."""

from __future__ import annotations

from typing import Any, Mapping

import pytest

from mistral import exceptions as exc
from mistral import expressions, lang
from mistral.workflow import controller
from mistral.workflow.base import FlowState, JoinState, TaskOutcome
from mistral.workflow.commands import (
    FailTask, FailWorkflow, PauseWorkflow, RunTask, SucceedWorkflow, WaitForJoin,
)


def spec_of(text: str) -> Any:
    return lang.parse_workflows("version: '2.0'\n" + text).workflows[0]


def evaluate(value: Any, data: Mapping[str, Any]) -> Any:
    return expressions.evaluate_recursively(value, data)


def complete(spec: Any, name: str, state: str = "SUCCESS", ctx: dict | None = None,
             joins: dict | None = None, flow: FlowState | None = None):
    return controller.on_task_complete(
        spec, TaskOutcome(name, f"{name}-id", state, ctx or {}), joins or {},
        flow or FlowState(), evaluate)


DIAMOND = spec_of("""
wf:
  tasks:
    a:
      action: std.noop
      on-success:
        - b: <% $.go_b %>
        - c
    b:
      action: std.noop
      on-success: [d]
    c:
      action: std.noop
      on-success: [d]
      on-error:
        - fail msg="c broke"
    d:
      join: all
      action: std.noop
""")


def test_start_runs_tasks_without_inbound() -> None:
    d = controller.start(DIAMOND, {"x": 1})
    assert d.commands == (RunTask("a", {"x": 1}),)


def test_conditions_and_join_waits_then_runs() -> None:
    d = complete(DIAMOND, "a", ctx={"go_b": True})
    assert [cmd.task_name for cmd in d.commands] == ["b", "c"]
    d1 = complete(DIAMOND, "b", ctx={"v": 1}, flow=d.flow)
    assert d1.commands == (WaitForJoin("d", {"v": 1}, 1, 0, "b-id", "on-success"),)
    d2 = complete(DIAMOND, "c", ctx={"w": 2}, flow=d1.flow,
                  joins={"d": JoinState(1, 0, "waiting")})
    assert d2.commands == (RunTask("d", {"w": 2}, "c-id", join=True, event="on-success"),)


def test_untaken_branch_makes_join_unsatisfiable_by_counting() -> None:
    d = complete(DIAMOND, "a", ctx={"go_b": False})
    assert [cmd.task_name for cmd in d.commands] == ["c", "d"]
    fail = d.commands[1]
    assert isinstance(fail, FailTask) and fail.task_name == "d"
    assert fail.state_info == "Failed by tasks: ['b']"  # as Mistral 23: b never ran
    # c finishing later does not touch the join again
    d2 = complete(DIAMOND, "c", flow=d.flow, joins={"d": JoinState(0, 1, "done")})
    assert d2.commands == ()


def test_join_of_two_with_dead_path_from_the_other_side() -> None:
    spec = spec_of("""
wf:
  tasks:
    a:
      action: std.noop
      on-success: [x, y, z]
    x:
      action: std.noop
      on-success: [j]
    y:
      action: std.noop
      on-success: [j]
    z:
      action: std.noop
      on-success:
        - j: <% false %>
    j:
      join: 2
      action: std.noop
""")
    d = complete(spec, "z")
    # a dead path triggers nothing; it names the task that failed the join
    assert d.commands == (WaitForJoin("j", {}, 0, 1, None, None, ("z",)),)
    d = complete(spec, "x", joins={"j": JoinState(0, 1, "waiting")}, flow=d.flow)
    assert d.commands == (WaitForJoin("j", {}, 1, 1, "x-id", "on-success"),)
    d = complete(spec, "y", joins={"j": JoinState(1, 1, "waiting")}, flow=d.flow)
    assert d.commands == (RunTask("j", {}, "y-id", join=True, event="on-success"),)


def test_error_clause_and_engine_command_with_message() -> None:
    d = complete(DIAMOND, "c", state="ERROR")
    assert d.error_handled
    assert FailWorkflow("c broke", "c") in d.commands


def test_error_without_handler_is_not_handled() -> None:
    d = complete(DIAMOND, "b", state="ERROR")
    assert not d.error_handled


SKIPPY = spec_of("""
wf:
  tasks:
    a:
      on-skip:
        - s: <% $.take_skip %>
      on-success: [ok]
      on-complete: [done]
    s: {}
    ok: {}
    done: {}
""")


def test_a_skipped_task_follows_on_skip_else_on_success_never_on_complete() -> None:
    d = complete(SKIPPY, "a", state="SKIPPED", ctx={"take_skip": True})
    assert [c.task_name for c in d.commands] == ["s"] and not d.error_handled
    d = complete(SKIPPY, "a", state="SKIPPED", ctx={"take_skip": False})
    assert [c.task_name for c in d.commands] == ["ok"]


def test_succeed_and_pause_commands() -> None:
    spec = spec_of("""
wf:
  tasks:
    a:
      action: std.noop
      on-success: [succeed]
      on-error: [pause]
""")
    assert complete(spec, "a").commands == (SucceedWorkflow(None, "a"),)
    assert complete(spec, "a", "ERROR").commands == (PauseWorkflow(None, "a"),)


def test_cancelled_task_runs_nothing_and_its_paths_are_dead() -> None:
    d = complete(DIAMOND, "c", "CANCELLED")
    assert not [c for c in d.commands if isinstance(c, RunTask)]
    assert [type(c) for c in d.commands] == [FailTask]


def test_final_state_message_like_mistral() -> None:
    state, info = controller.final_state([("t1", "id1", "boom")])
    assert state == "ERROR"
    assert info.startswith("Failure caused by error in tasks: t1\n")
    assert "t1 [task_ex_id=id1] -> boom" in info
    assert controller.final_state([], ["x"])[0] == "CANCELLED"
    assert controller.final_state([]) == ("SUCCESS", None)


REVERSE = spec_of("""
rwf:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
    c:
      action: std.noop
      requires: [a, b]
    other:
      action: std.noop
""")


def test_reverse_runs_requirements_then_target() -> None:
    d = controller.start(REVERSE, {}, "c")
    assert {c.task_name for c in d.commands} == {"a", "b"}
    d1 = controller.on_task_complete(REVERSE, TaskOutcome("a", "a1", "SUCCESS"), {}, d.flow,
                                     evaluate)
    assert d1.commands == ()
    d2 = controller.on_task_complete(REVERSE, TaskOutcome("b", "b1", "SUCCESS"), {}, d1.flow,
                                     evaluate)
    assert d2.commands == (RunTask("c", {}, merge_from=("a", "b")),)  # as Mistral 23, no triggered_by


def test_reverse_needs_valid_target() -> None:
    with pytest.raises(exc.InputError):
        controller.start(REVERSE, {}, None)
    with pytest.raises(exc.InputError):
        controller.start(REVERSE, {}, "zzz")


def test_flow_state_round_trip() -> None:
    f = FlowState({"x": 1}, frozenset({"a"}), frozenset({"b"}), "t")
    assert FlowState.from_dict(f.to_dict()) == f
