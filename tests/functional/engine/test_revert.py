"""Revert (ours, after TaskFlow) through the engine: revert-on-error, the order of
reverts, parallel branches, failing reverts, retries, subworkflows, revert on request."""

from __future__ import annotations

from typing import Any

import pytest

from mistral import exceptions as exc
from tests.functional.engine.harness import CTX, Harness, result_of

UPGRADE = """
version: '2.0'
upgrade:
  revert-on-error: true
  input:
    - app_fails: true
  tasks:
    stop_service:
      action: std.echo output=stopped
      revert: std.echo output="started again"
      on-success: backup_db
    backup_db:
      action: std.echo output=backup-42
      publish:
        backup: <% task().result %>
      revert:
        action: std.echo
        input:
          output: dropped <% $.backup %>
      on-success: upgrade_db
    upgrade_db:
      action: std.echo output=v2
      revert: std.echo output="restored <% $.backup %> over <% task().result %>"
      on-success: upgrade_app
    upgrade_app:
      action: std.fail
      input:
        error_data: app upgrade failed
      revert: std.echo output="undo <% task().result %>"
      on-success: start_service
    start_service:
      action: std.echo output=started
      revert: std.echo output="stopped again"
"""


def _reverts(h: Harness, wf_id: str) -> list[dict[str, Any]]:
    return [t for t in h.tasks(wf_id) if t["name"].startswith("revert:")]


def test_five_step_upgrade_reverts_failed_task_first_then_in_reverse_order(h: Harness) -> None:
    h.define(UPGRADE)
    ex = h.run("upgrade")
    assert ex["state"] == "ERROR", ex["state_info"]
    names = [t["name"] for t in h.tasks(ex["id"])]
    assert names == ["stop_service", "backup_db", "upgrade_db", "upgrade_app",
                     "revert:upgrade_app", "revert:upgrade_db", "revert:backup_db",
                     "revert:stop_service"]
    reverts = _reverts(h, ex["id"])
    assert [t["state"] for t in reverts] == ["SUCCESS"] * 4
    # each revert started after the previous one finished
    for before, after in zip(reverts, reverts[1:]):
        assert after["started_at"] >= before["finished_at"]
    results = {t["name"]: result_of(t) for t in reverts}
    assert results == {
        "revert:upgrade_app": "undo app upgrade failed",  # task().result is the error
        "revert:upgrade_db": "restored backup-42 over v2",  # published vars are visible
        "revert:backup_db": "dropped backup-42",
        "revert:stop_service": "started again",
    }
    info = ex["state_info"]
    assert info.startswith("Failure caused by error in tasks: upgrade_app\n")
    assert "every revert succeeded: upgrade_app, upgrade_db, backup_db, stop_service" in info
    assert all(t["runtime_context"]["revert_of"]["task"] == t["name"][len("revert:"):]
               for t in reverts)


def _running_reverts(h: Harness, wf_id: str) -> set[str]:
    return {t["name"] for t in _reverts(h, wf_id) if t["state"] == "RUNNING"}


def _run_one_by_one(h: Harness, wf_id: str) -> list[set[str]]:
    """Deliver queued action results one by one; the RUNNING reverts before each."""
    waves = []
    while h.executor.queue:
        running = _running_reverts(h, wf_id)
        if running and (not waves or waves[-1] != running):
            waves.append(running)
        ctx, request = h.executor.queue.popleft()
        result, report = h.executor._run(ctx, request)
        if report:
            h.engine.on_action_complete(ctx, request.action_ex_id, result)
    return waves


PARALLEL = """
version: '2.0'
branches:
  revert-on-error: true
  tasks:
    prepare:
      revert: std.echo output=unprepared
      on-success: [left, right]
    left:
      action: std.echo output=L
      revert: std.echo output=unleft
      on-success: joined
    right:
      action: std.echo output=R
      revert: std.echo output=unright
      on-success: joined
    joined:
      join: all
      revert: std.echo output=unjoined
      on-success: broken
    broken:
      action: std.fail
      revert: std.echo output=unbroken
"""


def test_parallel_branches_are_reverted_in_parallel(h: Harness) -> None:
    h.define(PARALLEL)
    wf_id = h.start("branches")
    waves = _run_one_by_one(h, wf_id)
    assert waves == [{"revert:broken"}, {"revert:joined"}, {"revert:left", "revert:right"},
                     {"revert:right"}, {"revert:prepare"}] or waves == [
        {"revert:broken"}, {"revert:joined"}, {"revert:left", "revert:right"},
        {"revert:left"}, {"revert:prepare"}]
    ex = h.execution(wf_id)
    assert ex["state"] == "ERROR"
    assert "every revert succeeded: broken, joined, " in ex["state_info"]


def test_a_failing_revert_stops_reverting_and_says_so(h: Harness) -> None:
    h.define(UPGRADE.replace('revert: std.echo output="restored <% $.backup %> over '
                             '<% task().result %>"', "revert: std.fail"))
    ex = h.run("upgrade")
    assert ex["state"] == "ERROR"
    reverts = _reverts(h, ex["id"])
    assert [(t["name"], t["state"]) for t in reverts] == [
        ("revert:upgrade_app", "SUCCESS"), ("revert:upgrade_db", "ERROR")]
    info = ex["state_info"]
    assert info.startswith("Failure caused by error in tasks: upgrade_app\n")
    assert f"  revert:upgrade_db [task_ex_id={reverts[1]['id']}] -> " in info
    assert "Reverted: upgrade_app\n" in info
    assert "Not reverted: backup_db, stop_service, upgrade_db" in info


def test_retry_policies_apply_to_a_revert(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  revert-on-error: true
  tasks:
    done:
      retry: {count: 1}
      revert: std.fail
      on-success: broken
    broken:
      action: std.fail
      revert:
        action: std.fail
        retry: {count: 2, delay: 5}
""")
    ex = h.run("wf")
    assert ex["state"] == "ERROR"
    broken, = [t for t in _reverts(h, ex["id"]) if t["name"] == "revert:broken"]
    assert len(h.actions(broken["id"])) == 3  # its own retry: 1 + 2 attempts
    assert "Not reverted: done, broken" in ex["state_info"]


def test_an_execution_without_the_new_keywords_keeps_no_revert_bookkeeping(h: Harness) -> None:
    h.define("""
version: '2.0'
plain:
  tasks:
    a:
      on-success: b
    b:
      action: std.fail
""")
    ex = h.run("plain")
    assert ex["state"] == "ERROR"
    assert ex["state_info"].startswith("Failure caused by error in tasks: b")
    assert "completions" not in ex["runtime_context"] and "revert" not in ex["runtime_context"]
    for t in h.tasks(ex["id"]):
        assert not {"seq_start", "seq_done"} & set(t["runtime_context"])


def test_the_task_whose_fail_command_ends_the_workflow_is_reverted_first(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  revert-on-error: true
  tasks:
    first:
      revert: std.noop
      on-success: second
    second:
      action: std.fail
      revert: std.noop
      on-error:
        - fail msg="second gave up"
""")
    ex = h.run("wf")
    assert ex["state"] == "ERROR"
    assert [t["name"] for t in _reverts(h, ex["id"])] == ["revert:second", "revert:first"]
    assert ex["state_info"].startswith("second gave up\n")


def test_a_with_items_task_is_reverted_once_with_its_list_of_results(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  revert-on-error: true
  tasks:
    many:
      with-items: x in <% [1, 2, 3] %>
      action: std.echo output=<% $.x %>
      revert: std.echo output=<% task().result.sum() %>
      on-success: broken
    broken:
      action: std.fail
""")
    ex = h.run("wf")
    revert, = _reverts(h, ex["id"])
    assert result_of(revert) == 6
    assert ex["state"] == "ERROR"


def test_a_subworkflow_reverts_its_own_tasks_then_its_parent_reverts(h: Harness) -> None:
    h.define("""
version: '2.0'
child:
  revert-on-error: true
  tasks:
    c1:
      revert: std.echo output=undo-c1
      on-success: c2
    c2:
      action: std.fail
parent:
  revert-on-error: true
  tasks:
    p1:
      revert:
        workflow: undo
        input: {what: p1}
      on-success: call
    call:
      workflow: child
      revert: std.echo output="undo call <% task().state %>"
undo:
  input: [what]
  tasks:
    u:
      action: std.echo output="undone <% $.what %>"
""")
    ex = h.run("parent")
    assert ex["state"] == "ERROR"
    call = h.task(ex["id"], "call")
    child, = h.children(call["id"])
    assert child["state"] == "ERROR"
    assert [t["name"] for t in _reverts(h, child["id"])] == ["revert:c1"]
    assert "every revert succeeded: c1" in child["state_info"]
    reverts = _reverts(h, ex["id"])
    assert [(t["name"], t["type"]) for t in reverts] == [("revert:call", "ACTION"),
                                                          ("revert:p1", "WORKFLOW")]
    assert result_of(reverts[0]) == "undo call ERROR"
    undo, = h.children(reverts[1]["id"])
    assert undo["workflow_name"] == "undo" and undo["input"]["what"] == "p1"
    assert "every revert succeeded: call, p1" in ex["state_info"]


def test_workflow_timeout_reverts_what_ran(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  revert-on-error: true
  timeout: 10
  tasks:
    quick:
      revert: std.echo output=undone
      on-success: slow
    slow:
      action: std.async_noop
      revert: std.noop
""")
    wf_id = h.start("wf")
    h.run_until_idle()
    h.clock.advance(10)
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "ERROR"
    assert ex["state_info"].startswith("Workflow 'wf' timed out after 10 seconds\n")
    assert [t["name"] for t in _reverts(h, wf_id)] == ["revert:quick"]  # slow was cancelled
    assert h.task(wf_id, "slow")["state"] == "CANCELLED"


ON_REQUEST = """
version: '2.0'
deploy:
  tasks:
    create:
      action: std.echo output=vm-1
      revert: std.echo output="delete <% task().result %>"
      on-success: configure
    configure:
      action: std.async_noop
      revert: std.echo output=unconfigure
"""


def test_revert_on_request_of_an_error_execution(h: Harness) -> None:
    h.define(ON_REQUEST.replace("std.async_noop", "std.fail"))
    ex = h.run("deploy")
    assert ex["state"] == "ERROR" and not _reverts(h, ex["id"])  # no revert-on-error
    info = ex["state_info"]
    running = h.engine.revert_workflow(CTX, ex["id"])
    assert running["state"] == "RUNNING"
    assert running["state_info"].startswith("Reverting tasks after the failure:\n")
    h.run_until_idle()
    ex = h.execution(ex["id"])
    assert ex["state"] == "ERROR"
    assert [(t["name"], result_of(t)) for t in _reverts(h, ex["id"])] == [
        ("revert:configure", "unconfigure"), ("revert:create", "delete vm-1")]
    assert ex["state_info"] == info.rstrip("\n") + \
        "\n\nReverted, every revert succeeded: configure, create\n"
    with pytest.raises(exc.InputError, match="nothing to revert"):
        h.engine.revert_workflow(CTX, ex["id"])  # everything is reverted already


def test_revert_on_request_of_a_cancelled_execution_and_what_is_refused(h: Harness) -> None:
    h.define(ON_REQUEST)
    wf_id = h.start("deploy")
    h.run_until_idle()
    with pytest.raises(exc.InvalidStateTransitionError, match="only an ERROR or CANCELLED"):
        h.engine.revert_workflow(CTX, wf_id)
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED", "enough")
    h.engine.revert_workflow(CTX, wf_id)
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "CANCELLED"
    # the cancelled task is not reverted: it did not finish
    assert [t["name"] for t in _reverts(h, wf_id)] == ["revert:create"]
    assert ex["state_info"].startswith("enough\n")

    h.define("""
version: '2.0'
bare:
  tasks:
    t:
      action: std.fail
""")
    bare = h.run("bare")
    with pytest.raises(exc.InputError, match="no task of workflow 'bare' has a 'revert'"):
        h.engine.revert_workflow(CTX, bare["id"])
    with pytest.raises(exc.NotFoundError):
        h.engine.revert_workflow(CTX, "no-such-execution")


def test_a_subworkflow_is_not_reverted_on_request(h: Harness) -> None:
    h.define(ON_REQUEST.replace("std.async_noop", "std.fail") + """
outer:
  tasks:
    call:
      workflow: deploy
""")
    ex = h.run("outer")
    child, = h.children(h.task(ex["id"], "call")["id"])
    with pytest.raises(exc.InvalidStateTransitionError, match="is a subworkflow"):
        h.engine.revert_workflow(CTX, child["id"])


def test_cancel_while_reverting_then_revert_the_rest_on_request(h: Harness) -> None:
    h.define("""
version: '2.0'
wf:
  revert-on-error: true
  tasks:
    a:
      revert: std.echo output=undo-a
      on-success: b
    b:
      revert: std.async_noop
      on-success: c
    c:
      action: std.fail
""")
    wf_id = h.start("wf")
    h.run_until_idle()
    assert h.execution(wf_id)["state"] == "RUNNING"
    assert _running_reverts(h, wf_id) == {"revert:b"}
    h.engine.pause_workflow(CTX, wf_id)
    h.engine.resume_workflow(CTX, wf_id)
    assert _running_reverts(h, wf_id) == {"revert:b"}
    h.engine.stop_workflow(CTX, wf_id, "CANCELLED", "stop reverting")
    ex = h.execution(wf_id)
    assert ex["state"] == "CANCELLED" and ex["state_info"] == "stop reverting"
    h.engine.revert_workflow(CTX, wf_id)
    h.run_until_idle()
    assert _running_reverts(h, wf_id) == {"revert:b"}  # the async revert again
    b = [t for t in _reverts(h, wf_id) if t["state"] == "RUNNING"][0]
    action, = [a for a in h.actions(b["id"]) if a["state"] == "RUNNING"]
    from mistral.engine.interface import ActionResult
    h.engine.on_action_complete(CTX, action["id"], ActionResult(data="undone"))
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "CANCELLED"
    assert [(t["name"], t["state"]) for t in _reverts(h, wf_id)] == [
        ("revert:b", "CANCELLED"), ("revert:b", "SUCCESS"), ("revert:a", "SUCCESS")]
    assert "every revert succeeded: b, a" in ex["state_info"]


def test_a_revert_task_cannot_be_rerun(h: Harness) -> None:
    h.define(UPGRADE.replace('revert: std.echo output="undo <% task().result %>"',
                             "revert: std.fail"))
    ex = h.run("upgrade")
    failed, = _reverts(h, ex["id"])
    with pytest.raises(exc.InvalidStateTransitionError, match="is a revert"):
        h.engine.rerun_workflow(CTX, failed["id"])


def test_a_rehearsal_runs_the_reverts_and_mocks_one_of_them(h: Harness) -> None:
    """Rehearsal (mistral.engine.rehearsal) runs reverts like any task; a revert is mocked
    by its task name ``revert:<task>``."""
    from mistral.engine.rehearsal import Rehearsal

    h.define(UPGRADE)
    answer = Rehearsal(h.db).run(CTX, "upgrade", mocks={
        "revert:upgrade_db": {"error": "restore failed"}})
    assert answer["state"] == "ERROR"
    assert answer["path"] == ["stop_service", "backup_db", "upgrade_db", "upgrade_app",
                              "revert:upgrade_app", "revert:upgrade_db"]
    assert "Not reverted: backup_db, stop_service, upgrade_db" in answer["state_info"]
    with h.db.transaction(CTX, readonly=True) as tx:
        assert tx.workflow_executions.count() == 0  # nothing stored
    with pytest.raises(exc.InputError, match="revert:nowhere"):
        Rehearsal(h.db).run(CTX, "upgrade", mocks={"revert:nowhere": {"result": 1}})
