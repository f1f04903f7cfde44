from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.engine.report import build_report
from tests.functional.engine.harness import CTX, Harness

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
