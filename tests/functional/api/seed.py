"""Seed a database through the API with one of everything, for route-wide tests."""

from __future__ import annotations

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import ASYNC, CODE_SOURCE, WORKBOOK, WORKFLOWS
from tests.functional.engine.harness import Harness


def seed(api: ApiClient, harness: Harness) -> dict[str, str]:
    """Returns a real id (or name) per resource, keyed by its path segment."""
    api.post("/v2/workflows", WORKFLOWS + ASYNC.replace("---\nversion: '2.0'\n", ""))
    api.post("/v2/workbooks", WORKBOOK)
    api.post("/v2/environments", {"name": "env1", "variables": {}})
    ex = api.post("/v2/executions", {"workflow_name": "waiting"}).json
    harness.run_until_idle()
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    action = api.get(f"/v2/tasks/{task['id']}/action_executions").json["action_executions"][0]
    wf = api.get("/v2/workflows/greet").json
    api.post("/v2/cron_triggers", {"name": "ct1", "workflow_name": "greet",
                                   "pattern": "0 0 * * *", "workflow_input": {"name": "c"}})
    et = api.post("/v2/event_triggers", {"name": "et1", "workflow_id": wf["id"],
                                         "workflow_input": {"name": "e"},
                                         "exchange": "x", "topic": "t", "event": "e"}).json
    src = api.post("/v2/code_sources?name=greetings", CODE_SOURCE).json
    dyn = api.post("/v2/dynamic_actions", {"name": "hello", "class_name": "Hello",
                                           "code_source_id": src["id"]}).json
    return {"code_sources": src["id"], "dynamic_actions": dyn["id"],
            "executions": ex["id"], "tasks": task["id"], "action_executions": action["id"],
            "workflows": wf["id"], "workbooks": "book", "environments": "env1",
            "actions": "std.echo", "cron_triggers": "ct1", "event_triggers": et["id"]}
