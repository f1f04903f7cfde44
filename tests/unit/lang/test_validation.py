"""Invalid definitions: one clear problem per mistake, with path and line, all at once."""

from __future__ import annotations

import pytest

from mistral.lang import parse_workflows

from tests.unit.lang.helpers import dedent, find, problems_of, wf_problems


@pytest.mark.parametrize(
    "body, path, fragment",
    [
        # unknown keys
        ("tasks:\n  t:\n    acton: std.noop\n", "wf.tasks.t.acton", "unknown key"),
        ("typo: 1\ntasks:\n  t: {}\n", "wf.typo", "unknown key"),
        ("task-defaults:\n  action: x\ntasks:\n  t: {}\n", "wf.task-defaults.action", "unknown key"),
        ("tasks:\n  t:\n    retry: {count: 1, dealy: 2}\n", "wf.tasks.t.retry.dealy", "unknown key"),
        ("tasks:\n  t:\n    retry: count=1 dealy=2\n", "wf.tasks.t.retry", "unknown retry parameter 'dealy'"),
        ("tasks:\n  t:\n    on-success:\n      nxt: [t]\n", "wf.tasks.t.on-success.nxt", "unknown key"),
        ("tasks:\n  t:\n    on-success:\n      publish: {local: {}}\n",
         "wf.tasks.t.on-success.publish.local", "unknown key"),
        # wrong types
        ("type: sideways\ntasks:\n  t: {}\n", "wf.type", "must be one of 'direct', 'reverse'"),
        ("description: [1]\ntasks:\n  t: {}\n", "wf.description", "must be a string"),
        ("tags: a\ntasks:\n  t: {}\n", "wf.tags", "must be a list"),
        ("input: {a: 1}\ntasks:\n  t: {}\n", "wf.input", "must be a list"),
        ("input:\n  - {a: 1, b: 2}\ntasks:\n  t: {}\n", "wf.input[0]", "name or a one-key mapping"),
        ("vars: [1]\ntasks:\n  t: {}\n", "wf.vars", "must be a mapping"),
        ("tasks: [t]\n", "wf.tasks", "must be a mapping"),
        ("tasks: {}\n", "wf.tasks", "must not be empty"),
        ("tasks:\n  t: [1]\n", "wf.tasks.t", "must be a mapping"),
        ("tasks:\n  t:\n    action: 5\n", "wf.tasks.t.action", "must be a string"),
        ("tasks:\n  t:\n    action: ''\n", "wf.tasks.t.action", "must not be empty"),
        ("tasks:\n  t:\n    input: [1]\n", "wf.tasks.t.input", "mapping or an expression"),
        ("tasks:\n  t:\n    input: not an expression\n", "wf.tasks.t.input", "mapping or an expression"),
        ("tasks:\n  t:\n    publish: [a]\n", "wf.tasks.t.publish", "mapping or an expression"),
        ("tasks:\n  t:\n    publish-on-error: 1\n", "wf.tasks.t.publish-on-error", "mapping"),
        ("tasks:\n  t:\n    retry: {delay: 1}\n", "wf.tasks.t.retry", "missing required key 'count'"),
        ("tasks:\n  t:\n    retry: {count: -1}\n", "wf.tasks.t.retry.count", "not -1"),
        ("tasks:\n  t:\n    retry: {count: x}\n", "wf.tasks.t.retry.count", "integer >= 0 or an expression"),
        ("tasks:\n  t:\n    retry: [1]\n", "wf.tasks.t.retry", "mapping with 'count'"),
        ("tasks:\n  t:\n    retry: delay=1\n", "wf.tasks.t.retry", "missing required parameter 'count'"),
        ("tasks:\n  t:\n    retry: count=x\n", "wf.tasks.t.retry", "retry count must be an integer"),
        ("tasks:\n  t:\n    wait-before: soon\n", "wf.tasks.t.wait-before", "not 'soon'"),
        ("tasks:\n  t:\n    wait-after: -2\n", "wf.tasks.t.wait-after", "integer >= 0"),
        ("tasks:\n  t:\n    timeout: 1.5\n", "wf.tasks.t.timeout", "integer >= 0"),
        ("tasks:\n  t:\n    timeout: true\n", "wf.tasks.t.timeout", "not True"),
        ("tasks:\n  t:\n    concurrency: 0\n", "wf.tasks.t.concurrency", "integer >= 1"),
        ("tasks:\n  t:\n    pause-before: 'yes'\n", "wf.tasks.t.pause-before", "boolean or an expression"),
        ("tasks:\n  t:\n    keep-result: 1\n", "wf.tasks.t.keep-result", "boolean or an expression"),
        ("tasks:\n  t:\n    safe-rerun: maybe\n", "wf.tasks.t.safe-rerun", "boolean or an expression"),
        ("tasks:\n  t:\n    target: 1\n", "wf.tasks.t.target", "must be a string"),
        ("tasks:\n  t:\n    fail-on: [x]\n", "wf.tasks.t.fail-on", "must be a string"),
        ("tasks:\n  t:\n    join: some\n", "wf.tasks.t.join", "'all', 'one' or an integer"),
        ("tasks:\n  t:\n    join: 0\n", "wf.tasks.t.join", "'all', 'one' or an integer"),
        ("tasks:\n  t:\n    with-items: 5\n", "wf.tasks.t.with-items", "var in <% expression %>"),
        ("tasks:\n  t:\n    with-items: []\n", "wf.tasks.t.with-items", "must not be empty"),
        ("tasks:\n  t:\n    with-items: x of <% $.y %>\n", "wf.tasks.t.with-items", "not of the form"),
        ("tasks:\n  t:\n    with-items: x in $.y\n", "wf.tasks.t.with-items", "must be an expression or a list"),
        ("tasks:\n  t:\n    with-items: [x in <% $.y %>, 7]\n", "wf.tasks.t.with-items[1]", "must be a string"),
        ("tasks:\n  t:\n    on-success: 5\n", "wf.tasks.t.on-success", "a task name, a list"),
        ("tasks:\n  t:\n    on-success: [5]\n", "wf.tasks.t.on-success[0]", "task name or a one-key mapping"),
        ("tasks:\n  t:\n    on-error:\n      - t: 1\n        u: 2\n", "wf.tasks.t.on-error[0]", "single {key: value}"),
        ("tasks:\n  t:\n    on-complete:\n      next: 5\n", "wf.tasks.t.on-complete.next", "must be"),
        ("tasks:\n  t:\n    on-success:\n      publish: {branch: 1}\n",
         "wf.tasks.t.on-success.publish.branch", "must be a mapping"),
        ("tasks:\n  t:\n    tags: [a, a]\n", "wf.tasks.t.tags", "duplicates"),
        ("tasks:\n  t:\n    tags: a\n", "wf.tasks.t.tags", "must be a list"),
        ("tasks:\n  t:\n    description: [x]\n", "wf.tasks.t.description", "must be a string"),
        ("tasks:\n  t:\n    workflow: 5\n", "wf.tasks.t.workflow", "must be a string"),
        ("tasks:\n  t:\n    workflow: ''\n", "wf.tasks.t.workflow", "must not be empty"),
        ("tasks:\n  t:\n    retry: {count: 1, break-on: 5}\n", "wf.tasks.t.retry.break-on",
         "must be a string"),
        ("tasks:\n  t:\n    retry: {count: 1, continue-on: [x]}\n",
         "wf.tasks.t.retry.continue-on", "must be a string"),
        ("tasks:\n  t:\n    retry: {count: 1, delay: -5}\n", "wf.tasks.t.retry.delay", "not -5"),
        ("tasks:\n  t:\n    retry: count=1 delay=\"x\n", "wf.tasks.t.retry", "cannot parse retry"),
        # backoff and the workflow's timeout (ours)
        ("tasks:\n  t:\n    retry: {count: 1, backoff: linear}\n", "wf.tasks.t.retry.backoff",
         "must be one of 'constant', 'exponential'"),
        ("tasks:\n  t:\n    retry: {count: 1, max-delay: -1}\n", "wf.tasks.t.retry.max-delay",
         "integer >= 0 or an expression"),
        ("tasks:\n  t:\n    retry: {count: 1, jitter: 2}\n", "wf.tasks.t.retry.jitter",
         "a boolean, a number between 0 and 1 or an expression"),
        ("tasks:\n  t:\n    retry: {count: 1, jitter: <% $. %>}\n", "wf.tasks.t.retry.jitter",
         "Invalid YAQL"),
        ("tasks:\n  t:\n    retry: count=1 backoff=linear\n", "wf.tasks.t.retry",
         "retry backoff must be one of"),
        ("tasks:\n  t:\n    retry: count=1 jitter=much\n", "wf.tasks.t.retry",
         "retry jitter must be a boolean"),
        ("tasks:\n  t:\n    retry: count=1 max-delay=-2\n", "wf.tasks.t.retry",
         "retry max-delay must be an integer >= 0"),
        ("task-defaults:\n  retry: {count: 1, backof: exponential}\ntasks:\n  t: {}\n",
         "wf.task-defaults.retry.backof", "unknown key"),
        ("timeout: -1\ntasks:\n  t: {}\n", "wf.timeout", "integer >= 0 or an expression"),
        # revert (ours)
        ("tasks:\n  t:\n    revert: [x]\n", "wf.tasks.t.revert",
         "an action with inline parameters"),
        ("tasks:\n  t:\n    revert: {action: a, workflow: b}\n", "wf.tasks.t.revert",
         "either an 'action' or a 'workflow'"),
        ("tasks:\n  t:\n    revert: {action: a, retry: count=x}\n", "wf.tasks.t.revert.retry",
         "retry count must be an integer"),
        ("tasks:\n  t:\n    revert: {action: a, ouput: 1}\n", "wf.tasks.t.revert.ouput",
         "unknown key"),
        ("tasks:\n  t:\n    revert: {action: a x=1, input: <% $.i %>}\n",
         "wf.tasks.t.revert.action", "cannot be combined with an 'input' expression"),
        ("tasks:\n  t:\n    revert: 'std.echo output=\"x'\n", "wf.tasks.t.revert",
         "cannot parse"),
        ("tasks:\n  t:\n    revert: std.noop\n  revert:t: {}\n", "wf.tasks.revert:t",
         "taken by the revert of task 't'"),
        ("revert-on-error: true\ntasks:\n  t: {}\n", "wf.revert-on-error", "nothing to revert"),
        ("revert-on-error: 1\ntasks:\n  t:\n    revert: std.noop\n", "wf.revert-on-error",
         "must be a boolean"),
        ("task-defaults:\n  revert: std.noop\ntasks:\n  t: {}\n", "wf.task-defaults.revert",
         "unknown key"),
        ("type: reverse\ntasks:\n  t:\n    revert: std.noop\n", "wf.tasks.t.revert",
         "not allowed in a reverse workflow"),
        ("type: reverse\nrevert-on-error: true\ntasks:\n  t: {}\n", "wf.revert-on-error",
         "not allowed in a reverse workflow"),
        ("tasks:\n  " + "t" * 250 + ":\n    revert: std.noop\n", "wf.tasks." + "t" * 250 + ".revert",
         "name of at most 248 characters"),
        ("timeout: <% $.x +%>\ntasks:\n  t: {}\n", "wf.timeout", "Invalid YAQL"),
        ("task-defaults:\n  retry: 5\ntasks:\n  t: {}\n", "wf.task-defaults.retry",
         "mapping with 'count'"),
        ("task-defaults:\n  timeout: x\ntasks:\n  t: {}\n", "wf.task-defaults.timeout",
         "integer >= 0 or an expression"),
        ("task-defaults:\n  concurrency: 0\ntasks:\n  t: {}\n", "wf.task-defaults.concurrency",
         "integer >= 1"),
        ("task-defaults:\n  join: all\ntasks:\n  t: {}\n", "wf.task-defaults.join", "unknown key"),
        ("task-defaults: [1]\ntasks:\n  t: {}\n", "wf.task-defaults", "must be a mapping"),
        ("output-on-error:\n  e: <% $. %>\ntasks:\n  t: {}\n", "wf.output-on-error.e",
         "Invalid YAQL"),
        ("tasks:\n  t:\n    publish-on-error:\n      e: '{{ }}'\n", "wf.tasks.t.publish-on-error.e",
         "Invalid Jinja"),
        ("tasks:\n  t:\n    fail-on: <% ) %>\n", "wf.tasks.t.fail-on", "Invalid YAQL"),
        ("tasks:\n  t:\n    target: <% $.( %>\n", "wf.tasks.t.target", "Invalid YAQL"),
        ("tasks:\n  t:\n    timeout: <% 1 + %>\n", "wf.tasks.t.timeout", "Invalid YAQL"),
        ("tasks:\n  t:\n    concurrency: '{{ 1 + }}'\n", "wf.tasks.t.concurrency", "Invalid Jinja"),
        ("tasks:\n  t:\n    input: <% $. %>\n", "wf.tasks.t.input", "Invalid YAQL"),
        # semantic
        ("tasks:\n  t:\n    action: std.noop\n    workflow: other\n", "wf.tasks.t", "not both"),
        ("tasks:\n  t:\n    action: std.echo output=\"unterminated\n", "wf.tasks.t.action", "cannot parse"),
        ("tasks:\n  t:\n    action: std.echo a=1\n    input: <% $.x %>\n", "wf.tasks.t.action",
         "inline parameters cannot be combined"),
        ("tasks:\n  t:\n    on-success: [nope]\n", "wf.tasks.t.on-success[0]", "undefined task 'nope'"),
        ("tasks:\n  t:\n    on-error: nope\n", "wf.tasks.t.on-error", "undefined task 'nope'"),
        ("tasks:\n  t:\n    on-skip: [nope]\n", "wf.tasks.t.on-skip[0]", "undefined task 'nope'"),
        ("tasks:\n  t:\n    publish-on-skip: 5\n", "wf.tasks.t.publish-on-skip", "must be"),
        ("tasks:\n  t:\n    on-complete:\n      - nope: <% true %>\n", "wf.tasks.t.on-complete[0]",
         "undefined task 'nope'"),
        ("tasks:\n  t:\n    on-success:\n      next: [nope]\n", "wf.tasks.t.on-success.next[0]",
         "undefined task 'nope'"),
        ("task-defaults:\n  on-error: [nope]\ntasks:\n  t: {}\n", "wf.task-defaults.on-error[0]",
         "undefined task 'nope'"),
        ("tasks:\n  t:\n    on-error: [fail reason=x]\n", "wf.tasks.t.on-error[0]", "only takes 'msg'"),
        ("tasks:\n  t:\n    requires: [u]\n  u: {}\n", "wf.tasks.t.requires", "only allowed in a reverse"),
        ("task-defaults:\n  requires: [t]\ntasks:\n  t: {}\n", "wf.task-defaults.requires",
         "only allowed in a reverse"),
        ("tasks:\n  a:\n    on-success: [b]\n  b:\n    on-success: [a]\n", "wf.tasks", "no start task"),
        ("tasks:\n  a:\n    on-success: [j]\n  j:\n    join: 2\n", "wf.tasks.j.join",
         "join 2 but only 1 task(s)"),
        ("input: [a, a]\ntasks:\n  t: {}\n", "wf.input[1]", "declared twice"),
        # expressions
        ("tasks:\n  t:\n    action: std.echo output=<% $.x + %>\n", "wf.tasks.t.action", "Invalid YAQL"),
        ("tasks:\n  t:\n    input:\n      a: [ok, '{{ _.x + }}']\n", "wf.tasks.t.input.a[1]", "Invalid Jinja"),
        ("tasks:\n  t:\n    publish:\n      a: <% $.( %>\n", "wf.tasks.t.publish.a", "Invalid YAQL"),
        ("tasks:\n  t:\n    with-items: x in <% $. %>\n", "wf.tasks.t.with-items", "Invalid YAQL"),
        ("tasks:\n  t:\n    on-success:\n      - u: <% 1 + %>\n  u: {}\n", "wf.tasks.t.on-success[0].u",
         "Invalid YAQL"),
        ("tasks:\n  t:\n    retry: {count: 1, break-on: '<% ) %>'}\n", "wf.tasks.t.retry.break-on",
         "Invalid YAQL"),
        ("output:\n  r: '{% if %}'\ntasks:\n  t: {}\n", "wf.output.r", "Invalid Jinja"),
        ("vars:\n  v: <% [ %>\ntasks:\n  t: {}\n", "wf.vars.v", "Invalid YAQL"),
        ("input:\n  - a: <% ( %>\ntasks:\n  t: {}\n", "wf.input[0].a", "Invalid YAQL"),
        ("task-defaults:\n  timeout: <% + %>\ntasks:\n  t: {}\n", "wf.task-defaults.timeout",
         "Invalid YAQL"),
    ],
)
def test_direct_workflow_problem(body: str, path: str, fragment: str) -> None:
    problem = find(wf_problems(body), path)
    assert fragment in problem.message
    assert problem.line is not None


@pytest.mark.parametrize(
    "body, path, fragment",
    [
        ("tasks:\n  t:\n    on-success: [u]\n  u: {}\n", "wf.tasks.t.on-success", "not allowed in a reverse"),
        ("tasks:\n  t:\n    on-error: u\n  u: {}\n", "wf.tasks.t.on-error", "not allowed in a reverse"),
        ("tasks:\n  t:\n    on-complete: [u]\n  u: {}\n", "wf.tasks.t.on-complete", "not allowed in a reverse"),
        ("tasks:\n  t:\n    on-skip: [u]\n  u: {}\n", "wf.tasks.t.on-skip", "not allowed in a reverse"),
        ("tasks:\n  t:\n    join: all\n", "wf.tasks.t.join", "not allowed in a reverse"),
        ("task-defaults:\n  on-error: [t]\ntasks:\n  t: {}\n", "wf.task-defaults.on-error",
         "not allowed in a reverse"),
        ("tasks:\n  t:\n    requires: nope\n", "wf.tasks.t.requires", "undefined task 'nope'"),
        ("tasks:\n  t:\n    requires: [5]\n", "wf.tasks.t.requires[0]", "must be a string"),
        ("tasks:\n  t:\n    requires: [u, u]\n  u: {}\n", "wf.tasks.t.requires", "must not contain duplicates"),
        ("tasks:\n  a:\n    requires: [a]\n", "wf.tasks.a.requires", "part of a 'requires' cycle"),
        ("tasks:\n  a:\n    requires: [b]\n  b:\n    requires: [c]\n  c:\n    requires: [a]\n",
         "wf.tasks.b.requires", "part of a 'requires' cycle"),
        ("tasks:\n  t:\n    on-success: [fail]\n", "wf.tasks.t.on-success", "not allowed in a reverse"),
    ],
)
def test_reverse_workflow_problem(body: str, path: str, fragment: str) -> None:
    problem = find(wf_problems("type: reverse\n" + body), path)
    assert fragment in problem.message


def test_tasks_waiting_on_a_cycle_are_not_blamed_for_it() -> None:
    problems = wf_problems("""
        type: reverse
        tasks:
          a:
            requires: [b]
          b:
            requires: [a]
          c:
            requires: [a]
    """)
    assert sorted(p.path for p in problems) == ["wf.tasks.a.requires", "wf.tasks.b.requires"]


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    problems = problems_of("""
        version: '2.0'
        first:
          tasks:
            t1:
              action: std.noop
              on-success: [missing]
              bogus: 1
            t2:
              timeout: never
        second:
          type: reverse
          tasks:
            r:
              on-success: [r]
              requires: [ghost]
    """)
    assert {p.path for p in problems} == {
        "first.tasks.t1.on-success[0]",
        "first.tasks.t1.bogus",
        "first.tasks.t2.timeout",
        "second.tasks.r.on-success",
        "second.tasks.r.requires",
    }


def test_lines_point_at_the_offending_key() -> None:
    text = dedent("""
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              on-success:
                - t2
                - t3
            t2: {}
    """)
    problems = problems_of(text)
    assert [(p.path, p.line) for p in problems] == [("wf.tasks.t1.on-success[1]", 8)]
    assert str(problems[0]) == "wf.tasks.t1.on-success[1] (line 8): refers to undefined task 't3'"


def test_error_message_lists_every_problem() -> None:
    from mistral.exceptions import DSLError

    with pytest.raises(DSLError) as err:
        parse_workflows("version: '2.0'\nwf:\n  tasks:\n    t:\n      a: 1\n      b: 2\n")
    assert "wf.tasks.t.a" in str(err.value) and "wf.tasks.t.b" in str(err.value)


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("version: '2.0'\n", "", "defines no workflow"),
        ("version: '2.0'\nwf: 5\n", "wf", "must be a mapping"),
        ("version: '2.0'\nwf: {}\n", "wf", "missing required key 'tasks'"),
        ("version: '2.0'\n5:\n  tasks: {t: {}}\n", "5", "names must be non-empty strings"),
        ("version: '2.0'\nwf:\n  tasks:\n    5: {}\n", "wf.tasks.5", "task names must be strings"),
    ],
)
def test_document_level_problems(text: str, path: str, fragment: str) -> None:
    problem = find(problems_of(text), path)
    assert fragment in problem.message


def test_engine_commands_are_not_tasks_in_reverse_workflows_but_fine_in_direct() -> None:
    parse_workflows(dedent("""
        version: '2.0'
        wf:
          tasks:
            t:
              on-success: [succeed]
              on-error: [fail msg="x"]
              on-complete: [pause, noop]
    """))


def test_messages_do_not_dump_large_values() -> None:
    big = "x" * 5000
    problems = wf_problems(f"tasks:\n  t:\n    timeout: '{big}'\n")
    assert len(problems[0].message) < 200


def test_many_problems_keep_the_message_bounded() -> None:
    from mistral.exceptions import DSLError

    body = "".join(f"    t{i}:\n      bogus: 1\n" for i in range(300))
    with pytest.raises(DSLError) as err:
        parse_workflows("version: '2.0'\nwf:\n  tasks:\n" + body)
    assert len(err.value.errors) == 300
    assert "and 250 more problem(s)" in str(err.value)
    assert len(str(err.value)) < 5000


def test_cycles_found_exactly_among_many_tasks() -> None:
    from mistral.lang.validator import _on_cycle

    requires = {"a": ("b",), "b": ("a", "c"), "c": ("d",), "d": ("c",), "e": ("a",),
                "f": ("f",), "g": ()}
    assert _on_cycle(requires, set(requires)) == {"a", "b", "c", "d", "f"}
    n = 5000  # a long ring: must be handled iteratively (no recursion limit)
    ring = {f"t{i}": (f"t{(i + 1) % n}",) for i in range(n)}
    assert _on_cycle(ring, set(ring)) == set(ring)


def test_a_long_requires_cycle_in_a_document() -> None:
    body = "".join(f"    t{i}:\n      requires: [t{(i + 1) % 2000}]\n" for i in range(2000))
    problems = problems_of("version: '2.0'\nwf:\n  type: reverse\n  tasks:\n" + body)
    assert len(problems) == 2000
    assert all("cycle" in p.message for p in problems)


def test_with_items_clause_with_long_blank_runs() -> None:
    from mistral.lang.compiler import parse_with_items

    clause = "x in <% $.a" + " " * 100_000 + "%>"
    (item,) = parse_with_items(clause)
    assert item.var == "x" and item.source.endswith("%>")


def test_problem_messages_clip_long_definition_text() -> None:
    long_action = "std.echo output=\"" + "x" * 10_000
    problems = wf_problems(f"tasks:\n  t:\n    action: '{long_action}'\n"
                           f"    with-items: 'y of {'z' * 10_000}'\n")
    assert {p.path for p in problems} == {"wf.tasks.t.action", "wf.tasks.t.with-items"}
    assert all(len(p.message) < 300 for p in problems)
