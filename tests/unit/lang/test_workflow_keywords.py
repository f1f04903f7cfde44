"""Every workflow and task keyword, in each of its valid forms, and how it is normalized."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from mistral.lang import (
    InputParam,
    PublishSpec,
    RetrySpec,
    RevertSpec,
    Transition,
    WithItem,
    parse_workflow,
    parse_workflows,
    thaw,
    workflow_from_dict,
)

from tests.unit.lang.helpers import dedent, wf


def test_workflow_level_keywords() -> None:
    spec = wf("""
        type: direct
        description: does things
        tags: [a, b]
        input:
          - x
          - y: 5
          - z: null
        output:
          r: <% $.r %>
        output-on-error:
          failed: true
        vars:
          v: <% $.x %>
        tasks:
          t: {}
    """)
    assert spec.name == "wf"
    assert spec.type == "direct"
    assert spec.description == "does things"
    assert spec.tags == ("a", "b")
    assert spec.input == (InputParam("x"), InputParam("y", 5, True), InputParam("z", None, True))
    assert thaw(spec.output) == {"r": "<% $.r %>"}
    assert thaw(spec.output_on_error) == {"failed": True}
    assert thaw(spec.vars) == {"v": "<% $.x %>"}
    assert spec.task_defaults is None


def test_defaults_of_a_minimal_workflow_and_task() -> None:
    spec = wf("tasks:\n  t: {}\n")
    assert spec.type == "direct"
    assert spec.input == () and spec.output is None and thaw(spec.vars) == {}
    t = spec.tasks["t"]
    assert t.action == "std.noop" and t.workflow is None
    assert (t.on_success, t.on_error, t.on_complete) == ((), (), ())
    assert t.join is None and t.with_items == () and t.retry is None
    assert t.keep_result is True and t.safe_rerun is False and t.pause_before is False
    assert t.timeout is None and t.wait_before is None and t.concurrency is None


def test_output_may_be_a_single_expression() -> None:
    assert wf("output: <% $.x %>\ntasks:\n  t: {}\n").output == "<% $.x %>"


def test_action_with_inline_parameters_merges_into_input() -> None:
    t = wf("""
        tasks:
          t:
            action: std.echo output="hello world" n=3 flag=true y=<% $.z + 1 %>
            input:
              other: 1
              n: 99
    """).tasks["t"]
    assert t.action == "std.echo"
    assert thaw(t.input) == {"other": 1, "n": 3, "output": "hello world", "flag": True,
                             "y": "<% $.z + 1 %>"}


def test_input_may_be_an_expression() -> None:
    assert wf("tasks:\n  t:\n    action: std.echo\n    input: <% $.args %>\n").tasks["t"].input \
        == "<% $.args %>"


def test_dynamic_action_name() -> None:
    t = wf("tasks:\n  t:\n    action: <% $.action_name %> a=1\n").tasks["t"]
    assert t.action == "<% $.action_name %>"
    assert thaw(t.input) == {"a": 1}


def test_workflow_task_with_inline_input() -> None:
    t = wf("""
        tasks:
          t:
            workflow: other_wf param=1
            input:
              more: <% $.x %>
    """).tasks["t"]
    assert t.workflow == "other_wf" and t.action is None and t.is_workflow
    assert thaw(t.input) == {"more": "<% $.x %>", "param": 1}


def test_publish_and_publish_on_error() -> None:
    t = wf("""
        tasks:
          t:
            publish:
              a: <% task().result %>
              b: 1
            publish-on-error:
              err: <% task().state_info %>
    """).tasks["t"]
    assert thaw(t.publish) == {"a": "<% task().result %>", "b": 1}
    assert thaw(t.publish_on_error) == {"err": "<% task().state_info %>"}
    assert isinstance(t.publish, MappingProxyType)


def test_publish_on_skip_and_on_skip_from_task_defaults() -> None:
    spec = wf("""
        task-defaults:
          on-skip: [cleanup]
        tasks:
          t:
            publish-on-skip:
              why: skipped
            on-skip:
              publish:
                branch: {b: 1}
          u: {}
          cleanup: {}
    """)
    t, u = spec.tasks["t"], spec.tasks["u"]
    assert thaw(t.publish_on_skip) == {"why": "skipped"}
    assert t.on_skip == () and thaw(t.on_skip_publish.branch) == {"b": 1}
    assert u.on_skip == (Transition("cleanup"),)
    assert spec.tasks["cleanup"].on_skip == ()  # a default never points at the task itself


@pytest.mark.parametrize("clause", ["on-success", "on-error", "on-complete", "on-skip"])
def test_transition_as_a_single_name(clause: str) -> None:
    spec = wf(f"tasks:\n  a:\n    {clause}: b\n  b: {{}}\n")
    attr = clause.replace("-", "_")
    assert getattr(spec.tasks["a"], attr) == (Transition("b"),)


@pytest.mark.parametrize("clause", ["on-success", "on-error", "on-complete", "on-skip"])
def test_transition_list_with_conditions(clause: str) -> None:
    spec = wf(f"""
        tasks:
          a:
            {clause}:
              - b
              - c: <% $.go %>
              - d: "{{{{ _.go }}}}"
          b: {{}}
          c: {{}}
          d: {{}}
    """)
    assert getattr(spec.tasks["a"], clause.replace("-", "_")) == (
        Transition("b"), Transition("c", "<% $.go %>"), Transition("d", "{{ _.go }}"))


def test_engine_commands_with_messages_and_conditions() -> None:
    t = wf("""
        tasks:
          a:
            on-success:
              - succeed: <% $.done %>
              - pause: <% $.wait %>
              - fail msg="too big": <% $.x > 3 %>
              - b
            on-error:
              - fail msg=<% $.reason %>
            on-complete:
              - noop
          b: {}
    """).tasks["a"]
    assert t.on_success[0] == Transition("succeed", "<% $.done %>")
    assert t.on_success[1] == Transition("pause", "<% $.wait %>")
    assert t.on_success[2] == Transition("fail", "<% $.x > 3 %>", MappingProxyType({"msg": "too big"}))
    assert t.on_success[2].is_engine_command and not t.on_success[3].is_engine_command
    assert thaw(t.on_error[0].params) == {"msg": "<% $.reason %>"}
    assert t.on_complete == (Transition("noop"),)


def test_engine_command_in_call_form_and_a_task_named_like_a_command() -> None:
    # As Mistral 23: fail(msg="...") is fail msg="..."; a task may be called noop.
    spec = wf("""
        tasks:
          a:
            on-success:
              - fail(msg="stopped on purpose")
          noop:
            action: std.noop
    """)
    assert spec.tasks["a"].on_success == (
        Transition("fail", None, MappingProxyType({"msg": "stopped on purpose"})),)
    assert set(spec.tasks) == {"a", "noop"}


def test_advanced_on_clause_with_next_and_publish_scopes() -> None:
    t = wf("""
        tasks:
          a:
            on-success:
              publish:
                branch:
                  x: <% task().result %>
                global:
                  g: 1
                atomic:
                  counter: <% $.counter + 1 %>
              next:
                - b: <% $.x %>
                - c
            on-error:
              next: c
            on-complete:
              publish:
                global:
                  done: true
          b: {}
          c: {}
    """).tasks["a"]
    publish = PublishSpec(
        branch=MappingProxyType({"x": "<% task().result %>"}),
        global_=MappingProxyType({"g": 1}),
        atomic=MappingProxyType({"counter": "<% $.counter + 1 %>"}),
    )
    assert t.on_success_publish == publish
    assert t.on_success == (Transition("b", "<% $.x %>", publish=publish),
                            Transition("c", publish=publish))
    assert t.on_error == (Transition("c"),) and t.on_error_publish is None
    assert t.on_complete == ()
    assert thaw(t.on_complete_publish.global_) == {"done": True}
    assert thaw(t.on_complete_publish.branch) == {}


@pytest.mark.parametrize("join, expected", [("all", "all"), ("one", "one"), (2, 2)])
def test_join_forms(join: object, expected: object) -> None:
    spec = wf(f"""
        tasks:
          a:
            on-success: [j]
          b:
            on-success: [j]
          j:
            join: {join}
    """)
    assert spec.tasks["j"].join == expected and spec.tasks["j"].is_join
    assert spec.graph.inbound["j"] == ("a", "b")


def test_with_items_forms_and_concurrency() -> None:
    spec = wf("""
        tasks:
          one:
            with-items: x in <% $.xs %>
            concurrency: 3
          several:
            with-items:
              - x in <% $.xs %>
              - y in {{ _.ys }}
              - z in [1, 2, "three"]
            concurrency: <% $.n %>
    """)
    assert spec.tasks["one"].with_items == (WithItem("x", "<% $.xs %>"),)
    assert spec.tasks["one"].concurrency == 3
    several = spec.tasks["several"]
    assert several.with_items[:2] == (WithItem("x", "<% $.xs %>"), WithItem("y", "{{ _.ys }}"))
    assert several.with_items[2].var == "z" and several.with_items[2].source == (1, 2, "three")
    assert several.concurrency == "<% $.n %>"


def test_retry_forms() -> None:
    spec = wf("""
        tasks:
          full:
            retry:
              count: 5
              delay: 10
              break-on: <% $.fatal %>
              continue-on: <% $.again %>
          expr:
            retry:
              count: <% $.n %>
              delay: <% $.d %>
          inline:
            retry: count=3 delay=2
    """)
    assert spec.tasks["full"].retry == RetrySpec(5, 10, "<% $.fatal %>", "<% $.again %>")
    assert spec.tasks["expr"].retry == RetrySpec("<% $.n %>", "<% $.d %>")
    assert spec.tasks["inline"].retry == RetrySpec(3, 2)


def test_policies_and_flags() -> None:
    t = wf("""
        tasks:
          t:
            wait-before: 1
            wait-after: <% $.w %>
            timeout: 30
            pause-before: true
            keep-result: false
            safe-rerun: true
            target: <% $.host %>
            fail-on: <% $.bad %>
            description: a task
            tags: [x]
    """).tasks["t"]
    assert (t.wait_before, t.wait_after, t.timeout) == (1, "<% $.w %>", 30)
    assert t.pause_before is True and t.keep_result is False and t.safe_rerun is True
    assert t.target == "<% $.host %>" and t.fail_on == "<% $.bad %>"
    assert t.description == "a task" and t.tags == ("x",)


def test_expression_valued_flags() -> None:
    t = wf("""
        tasks:
          t:
            pause-before: <% $.p %>
            keep-result: <% $.k %>
            safe-rerun: "{{ _.s }}"
            timeout: <% $.t %>
    """).tasks["t"]
    assert (t.pause_before, t.keep_result, t.safe_rerun, t.timeout) == (
        "<% $.p %>", "<% $.k %>", "{{ _.s }}", "<% $.t %>")


def test_task_defaults_apply_unless_the_task_overrides() -> None:
    spec = wf("""
        task-defaults:
          on-error: [handler]
          on-complete: [audit]
          retry: {count: 2, delay: 1}
          timeout: 10
          wait-before: 1
          wait-after: 2
          pause-before: true
          concurrency: 4
          safe-rerun: true
          fail-on: <% $.bad %>
        tasks:
          plain: {}
          own:
            on-error: [other]
            timeout: 99
            retry: count=7
            safe-rerun: false
          handler: {}
          audit: {}
          other: {}
    """)
    plain, own = spec.tasks["plain"], spec.tasks["own"]
    assert plain.on_error == (Transition("handler"),)
    assert plain.on_complete == (Transition("audit"),)
    assert plain.retry == RetrySpec(2, 1) and plain.timeout == 10
    assert (plain.wait_before, plain.wait_after, plain.concurrency) == (1, 2, 4)
    assert plain.pause_before is True and plain.safe_rerun is True
    assert plain.fail_on == "<% $.bad %>"
    assert own.on_error == (Transition("other"),) and own.timeout == 99
    assert own.retry == RetrySpec(7, 0) and own.safe_rerun is False
    # A default transition never targets the task itself.
    assert spec.tasks["handler"].on_error == ()
    assert spec.tasks["audit"].on_complete == ()
    assert spec.task_defaults is not None
    assert spec.task_defaults.on_error == (Transition("handler"),)
    assert spec.task_defaults.timeout == 10


def test_reverse_workflow_requires_and_defaults() -> None:
    spec = wf("""
        type: reverse
        task-defaults:
          requires: [setup]
        tasks:
          setup: {}
          a:
            requires: b
          b: {}
          c:
            requires: [a, b]
    """)
    assert spec.type == "reverse"
    assert spec.tasks["setup"].requires == ()
    assert spec.tasks["a"].requires == ("b", "setup")
    assert spec.tasks["c"].requires == ("a", "b", "setup")
    assert spec.graph.requires_closure("a") == ("setup", "b", "a")
    order = spec.graph.order
    assert order.index("setup") < order.index("b") < order.index("a") < order.index("c")


def test_several_workflows_in_one_document() -> None:
    specs = parse_workflows(dedent("""
        version: '2.0'
        first:
          tasks:
            t: {}
        second:
          type: reverse
          tasks:
            t: {}
    """))
    assert [w.name for w in specs.workflows] == ["first", "second"]
    assert specs.get("second").type == "reverse"
    assert specs.get("missing") is None


def test_parse_workflow_requires_exactly_one() -> None:
    from mistral.exceptions import DSLError

    with pytest.raises(DSLError) as err:
        parse_workflow("version: '2.0'\na:\n  tasks: {t: {}}\nb:\n  tasks: {t: {}}\n")
    assert "expected one workflow, found 2" in str(err.value)
    assert parse_workflow("version: '2.0'\na:\n  tasks: {t: {}}\n").name == "a"


def test_specs_are_immutable() -> None:
    spec = wf("tasks:\n  t:\n    input: {a: [1]}\n")
    with pytest.raises(AttributeError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.tasks["u"] = spec.tasks["t"]  # type: ignore[index]
    with pytest.raises(TypeError):
        spec.tasks["t"].input["a"] = 2  # type: ignore[index]
    assert spec.tasks["t"].input["a"] == (1,)


def test_retry_backoff_and_workflow_timeout() -> None:
    spec = wf("""
        timeout: <% $.limit %>
        input: [limit]
        tasks:
          t:
            retry: {count: 5, delay: 1, backoff: exponential, max-delay: 30, jitter: 0.2}
          u:
            retry: count=2 delay=3 backoff=constant jitter=true
          v:
            retry: {count: 1}
    """)
    assert spec.timeout == "<% $.limit %>"
    assert spec.tasks["t"].retry == RetrySpec(5, 1, backoff="exponential", max_delay=30,
                                              jitter=0.2)
    assert spec.tasks["u"].retry == RetrySpec(2, 3, backoff="constant", jitter=True)
    v = spec.tasks["v"].retry
    assert (v.backoff, v.max_delay, v.jitter) == (None, None, None)
    assert wf("tasks:\n  t: {}\n").timeout is None


def test_revert_forms_and_the_revert_tasks() -> None:
    spec = wf("""
        revert-on-error: true
        tasks:
          a:
            action: std.echo output=1
            retry: {count: 2}
            timeout: 9
            revert: std.echo output=<% task().result %>
          b:
            revert:
              workflow: undo x=1
              input: {y: 2}
              retry: count=1 delay=3
          c: {}
    """)
    assert spec.revert_on_error is True
    assert spec.tasks["a"].revert == RevertSpec("std.echo", None,
                                                MappingProxyType({"output": "<% task().result %>"}))
    assert spec.tasks["c"].revert is None
    assert sorted(spec.reverts) == ["revert:a", "revert:b"]
    ra, rb = spec.task_spec("revert:a"), spec.task_spec("revert:b")
    assert (ra.action, ra.retry, ra.timeout) == ("std.echo", RetrySpec(2), 9)
    assert (rb.workflow, thaw(rb.input), rb.retry) == ("undo", {"y": 2, "x": 1}, RetrySpec(1, 3))
    assert ra.on_success == () and ra.publish == {} and ra.with_items == ()
    assert spec.task_spec("c") is spec.tasks["c"]
    again = workflow_from_dict(spec.to_dict())
    assert again.reverts == spec.reverts and again.revert_on_error
    plain = wf("tasks:\n  t: {}\n")
    assert plain.revert_on_error is False and plain.reverts == {}
