"""Bad input: a clear domain error naming what and where, nothing half-stored, nothing stuck."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.engine.interface import ActionResult
from tests.functional.engine.harness import CTX, Harness

WF = """
version: '2.0'
wf:
  input: [a, b: 2]
  tasks:
    t:
      action: std.echo output=<% $.a %>
"""


def _counts(h: Harness) -> tuple[int, int, int]:
    with h.db.transaction(CTX, readonly=True) as tx:
        return (tx.workflow_executions.count(), tx.task_executions.count(),
                tx.action_executions.count())


def test_missing_input(h: Harness) -> None:
    h.define(WF)
    with pytest.raises(exc.InputError) as e:
        h.engine.start_workflow(CTX, "wf", wf_input={"b": 3})
    assert "wf" in str(e.value) and "missing: a" in str(e.value)
    assert _counts(h) == (0, 0, 0)


def test_unexpected_input(h: Harness) -> None:
    h.define(WF)
    with pytest.raises(exc.InputError) as e:
        h.engine.start_workflow(CTX, "wf", wf_input={"a": 1, "zzz": 2})
    assert "unexpected: zzz" in str(e.value)
    assert _counts(h) == (0, 0, 0)


def test_defaults_are_applied(h: Harness) -> None:
    h.define(WF)
    wf = h.engine.start_workflow(CTX, "wf", wf_input={"a": 1})
    assert wf["input"] == {"a": 1, "b": 2}


def test_unknown_workflow(h: Harness) -> None:
    with pytest.raises(exc.NotFoundError) as e:
        h.engine.start_workflow(CTX, "nope", wf_input={})
    assert "nope" in str(e.value)
    assert _counts(h) == (0, 0, 0)


def test_workflow_by_id_and_namespace(h: Harness) -> None:
    h.define(WF, namespace="ns1")
    with pytest.raises(exc.NotFoundError):
        h.engine.start_workflow(CTX, "wf", wf_input={"a": 1})
    wf = h.engine.start_workflow(CTX, "wf", wf_namespace="ns1", wf_input={"a": 1})
    again = h.engine.start_workflow(CTX, wf["workflow_id"], wf_input={"a": 1})
    assert again["workflow_name"] == "wf"
    # The API's rule (mistral.db.names): a name in the default namespace is not found
    # from another namespace when starting.
    h.define(WF.replace("wf:", "plain:", 1))
    with pytest.raises(exc.NotFoundError):
        h.engine.start_workflow(CTX, "plain", wf_namespace="ns1", wf_input={"a": 1})


def test_same_execution_id_is_idempotent(h: Harness) -> None:
    h.define(WF)
    first = h.engine.start_workflow(CTX, "wf", wf_ex_id="8d6c7d36-7a38-4a6b-9b57-0c5b0b2b8b11",
                                    wf_input={"a": 1})
    second = h.engine.start_workflow(CTX, "wf", wf_ex_id=first["id"], wf_input={"a": 1})
    assert second["id"] == first["id"]
    assert _counts(h)[0] == 1


def test_unknown_environment(h: Harness) -> None:
    h.define(WF)
    with pytest.raises(exc.NotFoundError) as e:
        h.engine.start_workflow(CTX, "wf", wf_input={"a": 1}, params={"env": "prod"})
    assert "prod" in str(e.value)
    assert _counts(h) == (0, 0, 0)


def test_result_for_unknown_action_execution(h: Harness) -> None:
    with pytest.raises(exc.NotFoundError):
        h.engine.on_action_complete(CTX, "no-such-id", ActionResult(data=1))


def test_second_result_for_finished_action_is_ignored(h: Harness) -> None:
    h.define(WF)
    wf = h.run("wf", {"a": "first"})
    task = h.task(wf["id"], "t")
    [action] = h.actions(task["id"])
    h.engine.on_action_complete(CTX, action["id"], ActionResult(data="second"))
    h.engine.on_action_complete(CTX, action["id"], ActionResult(error="late error"))
    [again] = h.actions(task["id"])
    assert again["output"] == {"result": "first"}
    assert h.execution(wf["id"])["state"] == "SUCCESS"


def test_unknown_action_fails_task_with_name(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: no.such.action
""")
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert "no.such.action" in h.task(wf["id"], "t")["state_info"]


def test_bad_action_input_fails_task_with_parameters(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo wrong=1
""")
    wf = h.run("wf")
    info = h.task(wf["id"], "t")["state_info"]
    assert "std.echo" in info and "wrong" in info and "output" in info


def test_reverse_workflow_without_target(h: Harness) -> None:
    h.define("""
version: '2.0'
rwf:
  type: reverse
  tasks:
    a:
      action: std.noop
""")
    with pytest.raises(exc.InputError) as e:
        h.engine.start_workflow(CTX, "rwf", wf_input={})
    assert "task_name" in str(e.value)
    with pytest.raises(exc.InputError):
        h.engine.start_workflow(CTX, "rwf", wf_input={}, params={"task_name": "zz"})
    assert _counts(h) == (0, 0, 0)


def test_huge_published_value_fails_execution_not_service(sqlite_database: object) -> None:
    """A value above the field size limit fails cleanly: nothing half-written, nothing stuck."""
    from mistral.db.api import Database

    db = Database(sqlite_database.url, field_size_limit_kb=1)  # type: ignore[attr-defined]
    h = Harness(db)
    h.define(WF)
    with pytest.raises(exc.SizeLimitExceededError):
        h.engine.start_workflow(CTX, "wf", wf_input={"a": "x" * 5000})
    assert _counts(h) == (0, 0, 0)
    db.dispose()


def test_too_large_result_fails_action_then_execution_not_service(
        sqlite_database: object) -> None:
    from mistral.db.api import Database

    db = Database(sqlite_database.url, field_size_limit_kb=2)  # type: ignore[attr-defined]
    h = Harness(db)
    h.define("""
version: '2.0'
big:
  tasks:
    t:
      action: std.test_dict size=400 key_prefix=key val=valuevalue
      on-error: [handled]
    handled:
      action: std.noop
""")
    wf = h.run("big")
    assert wf["state"] == "SUCCESS"  # the action failed cleanly; on-error ran
    t = h.task(wf["id"], "t")
    assert t["state"] == "ERROR" and "too large" in t["state_info"]
    [action] = h.actions(t["id"])
    assert action["state"] == "ERROR"
    db.dispose()


def test_too_large_published_value_fails_execution(sqlite_database: object) -> None:
    from mistral.db.api import Database

    db = Database(sqlite_database.url, field_size_limit_kb=2)  # type: ignore[attr-defined]
    h = Harness(db)
    h.define("""
version: '2.0'
big:
  tasks:
    t:
      action: std.echo output=small
      publish:
        huge: <% 'x' * 5000 %>
      publish-on-error:
        huge: <% 'y' * 5000 %>
""")
    wf = h.run("big")
    assert wf["state"] == "ERROR"
    assert "size limit" in wf["state_info"].lower() or "too large" in wf["state_info"]
    assert not [t for t in h.tasks(wf["id"]) if t["state"] not in ("SUCCESS", "ERROR",
                                                                   "CANCELLED")]
    db.dispose()
