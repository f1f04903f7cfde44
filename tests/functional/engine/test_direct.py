"""Direct workflows: transitions, conditions, engine commands, joins, data flow."""

from __future__ import annotations

from tests.functional.engine.harness import CTX, Harness


def test_on_error_handles_failure_and_workflow_succeeds(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.fail
      on-error: [handle]
      on-success: [never]
    handle:
      action: std.echo output=handled
    never:
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"
    assert h.task_states(wf["id"]) == {"t1": "ERROR", "handle": "SUCCESS"}


def test_unhandled_error_fails_workflow_with_reason(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.fail error_data="disk full"
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    t1 = h.task(wf["id"], "t1")
    assert wf["state_info"].startswith("Failure caused by error in tasks: t1")
    assert f"t1 [task_ex_id={t1['id']}] -> disk full" in wf["state_info"]


def test_failed_task_with_only_on_complete_runs_it_and_workflow_ends_error(h: Harness) -> None:
    # As Mistral 23: on-complete does not handle an error; only on-error does.
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.fail
      on-complete: [after]
    after:
      action: std.echo output=ran
      publish:
        done: <% task().result %>
""")
    wf = h.run("wf")
    assert h.task_states(wf["id"]) == {"t1": "ERROR", "after": "SUCCESS"}
    assert wf["state"] == "ERROR"
    assert wf["state_info"].startswith("Failure caused by error in tasks: t1")
    assert h.task(wf["id"], "after")["published"] == {"done": "ran"}
    # As Mistral 23: without output-on-error the output is the reason and the final context.
    assert wf["output"]["done"] == "ran"
    assert wf["output"]["result"].startswith("Failure caused by error in tasks: t1")


def test_conditions_choose_branch_and_on_complete_runs(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  input: [n]
  tasks:
    check:
      action: std.echo output=<% $.n %>
      publish:
        v: <% task().result %>
      on-success:
        - big: <% $.v > 10 %>
        - small: <% $.v <= 10 %>
      on-complete: [always]
    big:
      action: std.noop
    small:
      action: std.noop
    always:
      action: std.noop
""")
    wf = h.run("wf", {"n": 3})
    assert wf["state"] == "SUCCESS"
    assert h.task_states(wf["id"]) == {"check": "SUCCESS", "small": "SUCCESS",
                                       "always": "SUCCESS"}
    wf = h.run("wf", {"n": 30})
    assert set(h.task_states(wf["id"])) == {"check", "big", "always"}


def test_fail_command_with_message(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.echo output=1
      on-success:
        - fail msg="stopped on purpose <% 1 + 1 %>"
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert wf["state_info"] == "stopped on purpose 2"


def test_succeed_command_ends_workflow_despite_error(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.fail
      on-error:
        - succeed
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"


def test_pause_command_pauses_then_resume_continues(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.noop
      on-success:
        - pause
        - t2
    t2:
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "PAUSED"
    assert h.task_states(wf["id"]) == {"t1": "SUCCESS", "t2": "IDLE"}
    h.engine.resume_workflow(CTX, wf["id"])
    h.run_until_idle()
    wf = h.execution(wf["id"])
    assert wf["state"] == "SUCCESS"
    assert h.task_states(wf["id"])["t2"] == "SUCCESS"


JOIN = """
version: '2.0'
wf:
  input: [fail_b: false]
  output:
    a: <% $.a %>
    b: <% $.b %>
  tasks:
    start:
      action: std.noop
      on-success: [a, b]
    a:
      action: std.echo output=A
      publish: {a: <% task().result %>}
      on-success: [join_all]
    b:
      action: std.echo output=B
      publish: {b: <% task().result %>}
      on-success:
        - join_all: <% not $.fail_b %>
    join_all:
      join: all
      action: std.noop
"""


def test_join_all_waits_for_every_branch_and_merges_context(h: Harness) -> None:
    h.define(JOIN)
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"a": "A", "b": "B"}
    names = [t["name"] for t in h.tasks(wf["id"])]
    assert names.count("join_all") == 1


def test_join_all_fails_when_a_branch_cannot_reach_it(h: Harness) -> None:
    h.define(JOIN)
    wf = h.run("wf", {"fail_b": True})
    assert wf["state"] == "ERROR"
    join = h.task(wf["id"], "join_all")
    assert join["state"] == "ERROR"
    assert join["state_info"] == "Failed by tasks: ['b']"  # as Mistral 23 words it
    assert "join_all" in wf["state_info"]


def test_join_one_and_numeric_join_run_once(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, b, c]
    a:
      action: std.noop
      on-success: [first, two]
    b:
      action: std.noop
      on-success: [first, two]
    c:
      action: std.fail
      on-error: [first, two]
    first:
      join: one
      action: std.noop
    two:
      join: 2
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    names = [t["name"] for t in h.tasks(wf["id"])]
    assert names.count("first") == 1 and names.count("two") == 1


def test_join_unreachable_through_deep_skipped_branch(h: Harness) -> None:
    """A branch that is never taken makes every task on it unreachable, down to the join."""
    h.define("""
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success:
        - left
        - right: <% false %>
    left:
      action: std.noop
      on-success: [j]
    right:
      action: std.noop
      on-success: [right2]
    right2:
      action: std.noop
      on-success: [j]
    j:
      join: all
      action: std.noop
      on-error: [recover]
    recover:
      action: std.noop
""")
    wf = h.run("wf")
    states = h.task_states(wf["id"])
    assert states["j"] == "ERROR"
    assert states["recover"] == "SUCCESS"
    assert "right" not in states
    assert wf["state"] == "SUCCESS"


def test_fan_out_join_all_of_many(h: Harness) -> None:
    n = 30
    tasks = "\n".join(
        f"    b{i}:\n      action: std.echo output={i}\n      publish: {{v{i}: <% task().result %>}}\n"
        f"      on-success: [j]" for i in range(n)
    )
    h.define(f"""
version: '2.0'
wf:
  output:
    total: <% $.v0 + $.v{n - 1} %>
  tasks:
    start:
      action: std.noop
      on-success: [{', '.join(f'b{i}' for i in range(n))}]
{tasks}
    j:
      join: all
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"total": n - 1}
    join = h.task(wf["id"], "j")
    assert join["runtime_context"]["join"]["arrived"] == n


def test_publish_scopes_branch_and_global(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  vars:
    base: 10
  output:
    g: <% global(counter) %>
    b: <% $.local %>
    base: <% $.base %>
  tasks:
    t1:
      action: std.echo output=5
      on-success:
        publish:
          branch:
            local: <% task().result + $.base %>
          global:
            counter: <% task().result %>
        next: [t2]
    t2:
      action: std.echo output=<% global(counter) %>
      publish:
        seen: <% task().result %>
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert wf["output"] == {"g": 5, "b": 15, "base": 10}
    assert h.task(wf["id"], "t2")["published"] == {"seen": 5}


def test_publish_on_error_and_output_on_error(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  output-on-error:
    why: <% $.why %>
  tasks:
    t1:
      action: std.fail error_data=broken
      publish-on-error:
        why: <% task().result %>
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert wf["output"]["why"] == "broken"
    assert wf["output"]["result"].startswith("Failure caused by error in tasks: t1")


def test_task_defaults_apply_to_every_task(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  task-defaults:
    on-error: [cleanup]
  tasks:
    t1:
      action: std.fail
    cleanup:
      action: std.noop
      on-error: []
""")
    wf = h.run("wf")
    assert h.task_states(wf["id"]) == {"t1": "ERROR", "cleanup": "SUCCESS"}
    assert wf["state"] == "SUCCESS"


def test_env_and_execution_functions(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  output:
    region: <% env().region %>
    me: <% execution().id %>
  tasks:
    t1:
      action: std.noop
""")
    wf = h.run("wf", env={"region": "eu"})
    assert wf["output"] == {"region": "eu", "me": wf["id"]}


def test_bad_transition_expression_fails_workflow_cleanly(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t1:
      action: std.noop
      on-success:
        - t2: <% $.missing.deeper %>
    t2:
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert "t1" in wf["state_info"]


def test_without_output_the_final_context_is_the_output(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  input: [a]
  tasks:
    t:
      action: std.echo output=2
      publish: {b: <% task().result %>}
""")
    wf = h.run("wf", {"a": 1})
    assert wf["output"] == {"b": 2}  # as Mistral 23: not the input (vars and publishes)


def test_definition_without_stored_spec_is_parsed_from_text(h: Harness) -> None:
    text = """
version: '2.0'
plain:
  tasks:
    t:
      action: std.echo output=1
"""
    with h.db.transaction(CTX) as tx:
        tx.workflow_definitions.create({"name": "plain", "namespace": "", "definition": text,
                                        "checksum": "c1", "scope": "private"})
    wf = h.run("plain")
    assert wf["state"] == "SUCCESS"
    assert wf["spec"]["name"] == "plain"


def test_tasks_function_and_task_by_name(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  output:
    names: <% tasks().select($.name).orderBy($) %>
    first: <% task(a).result %>
  tasks:
    a:
      action: std.echo output=one
      on-success: [b]
    b:
      action: std.noop
""")
    wf = h.run("wf")
    assert wf["output"] == {"names": ["a", "b"], "first": "one"}



def test_tasks_do_not_copy_the_workflow_input(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  input: [big]
  output:
    n: <% len($.big) %>
  tasks:
    a:
      action: std.echo output=<% len($.big) %>
      publish: {n: <% task().result %>}
      on-success: [b]
    b:
      action: std.noop
""")
    wf = h.run("wf", {"big": list(range(500))})
    assert wf["output"] == {"n": 500}
    assert h.task(wf["id"], "a")["in_context"] == {}
    assert h.task(wf["id"], "b")["in_context"] == {"n": 500}


def test_env_given_by_name_of_a_stored_environment(h: Harness) -> None:
    with h.db.transaction(CTX) as tx:
        tx.environments.create({"name": "prod", "variables": {"region": "north"},
                                "scope": "private"})
    h.define("""
version: '2.0'
wf:
  output:
    region: <% env().region %>
  tasks:
    t:
      action: std.noop
""")
    wf = h.run("wf", env="prod")
    assert wf["output"] == {"region": "north"}
    assert wf["params"]["env"] == {"region": "north"}


def test_merge_strategy_merge_deep_merges_published_dicts(sqlite_database: object) -> None:
    from mistral.engine.settings import EngineSettings

    h = Harness(sqlite_database, EngineSettings(merge_strategy="merge"))
    h.define("""
version: '2.0'
wf:
  output:
    cfg: <% $.cfg %>
  tasks:
    a:
      action: std.noop
      publish: {cfg: {x: 1, y: {p: 1}}}
      on-success: [b]
    b:
      action: std.noop
      on-success:
        publish:
          global:
            cfg: {y: {q: 2}}
""")
    wf = h.run("wf")
    assert wf["state"] == "SUCCESS"
    assert wf["output"] == {"cfg": {"x": 1, "y": {"p": 1, "q": 2}}}
