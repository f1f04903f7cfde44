"""The execution report (served by /v2/executions/<id>/report, Mistral 23's fields): tree,
statistics, filters, and a fixed number of queries whatever the size."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.api.controllers.v2.reports import report as served_report
from tests.functional.engine.harness import CTX, Harness


def build_report(db, ctx, wf_ex_id, errors_only=False, max_depth=-1,  # type: ignore[no-untyped-def]
                 statistics_only=False):
    """The one report implementation, the one /v2/executions/<id>/report serves."""
    with db.transaction(ctx, readonly=True) as tx:
        return served_report(tx, wf_ex_id, errors_only, max_depth, statistics_only)

WFS = """
version: '2.0'
parent:
  tasks:
    ok:
      action: std.noop
    call:
      workflow: child
child:
  tasks:
    bad:
      action: std.fail error_data=nope
"""


def test_report_tree_statistics_and_errors_only(h: Harness) -> None:
    h.define(WFS)
    wf = h.run("parent")
    report = build_report(h.db, CTX, wf["id"])
    root = report["root_workflow_execution"]
    assert root["id"] == wf["id"] and root["state"] == "ERROR"
    assert {t["name"] for t in root["task_executions"]} == {"ok", "call"}
    call = next(t for t in root["task_executions"] if t["name"] == "call")
    [child] = call["workflow_executions"]
    [bad] = child["task_executions"]
    assert bad["action_executions"][0]["state_info"] == "nope"
    assert report["statistics"]["total_tasks_count"] == 3
    assert report["statistics"]["error_tasks_count"] == 2
    assert report["statistics"]["success_tasks_count"] == 1

    errors = build_report(h.db, CTX, wf["id"], errors_only=True, max_depth=0)
    assert [t["name"] for t in errors["root_workflow_execution"]["task_executions"]] == ["call"]
    only = build_report(h.db, CTX, wf["id"], statistics_only=True)
    assert set(only) == {"statistics"}


def test_report_of_unknown_execution(h: Harness) -> None:
    with pytest.raises(exc.NotFoundError):
        build_report(h.db, CTX, "missing")


def test_report_queries_do_not_grow_with_tasks(h: Harness) -> None:
    """Actions and subworkflows are loaded per level, not per task (no N+1)."""
    from sqlalchemy import event

    from mistral.api.controllers.v2.reports import report as served_report
    from tests.functional.engine.harness import CTX

    def fan(n: int) -> str:
        names = ", ".join(f"b{i}" for i in range(n))
        branches = "\n".join(
            f"    b{i}:\n      action: std.echo output={i}" for i in range(n))
        return (f"version: '2.0'\nfan{n}:\n  tasks:\n    start:\n      action: std.noop\n"
                f"      on-success: [{names}]\n{branches}\n    sub:\n      workflow: leaf\n")

    h.define("version: '2.0'\nleaf:\n  tasks:\n    l1:\n      action: std.noop\n")
    counts = {}
    for n in (3, 30):
        h.define(fan(n))
        wf = h.run(f"fan{n}")
        assert wf["state"] == "SUCCESS", wf["state_info"]
        seen: list[str] = []

        def before(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(h.db.engine, "before_cursor_execute", before)
        try:
            report = build_report(h.db, CTX, wf["id"])
        finally:
            event.remove(h.db.engine, "before_cursor_execute", before)
        counts[n] = len([s for s in seen if s.lstrip().upper().startswith("SELECT")])
        tasks = report["root_workflow_execution"]["task_executions"]
        assert len(tasks) == n + 2 and report["statistics"]["total_tasks_count"] == n + 3
        for t in tasks:
            if t["name"] == "sub":
                (child,) = t["workflow_executions"]
                assert [x["name"] for x in child["task_executions"]] == ["l1"]
            else:
                assert len(t["action_executions"]) == 1
    assert counts[30] == counts[3]
