"""/v2/tasks, /v2/action_executions, nested lists, sub-executions, reports, and query counts."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import event

from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
from tests.functional.api.client import ApiClient, build_client
from tests.functional.api.samples import ASYNC, FAILING, PARENT, WORKFLOWS
from tests.functional.engine.harness import Harness, SyncExecutor


def run(api: ApiClient, harness: Harness, wf_name: str, **input: Any) -> dict[str, Any]:
    r = api.post("/v2/executions", {"workflow_name": wf_name, "input": input})
    assert r.status_code == 201, r.text
    harness.run_until_idle()
    return api.get(f"/v2/executions/{r.json['id']}").json


def test_tasks_of_an_execution(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex = run(api, harness, "greet", name="Gus")
    r = api.get(f"/v2/executions/{ex['id']}/tasks")
    assert r.status_code == 200
    (task,) = r.json["tasks"]
    assert task["name"] == "say" and task["state"] == "SUCCESS"
    assert task["workflow_execution_id"] == ex["id"] and task["workflow_name"] == "greet"
    # as Mistral 23: a listed task has no result (nor reset, env); GET /v2/tasks/<id> has it
    assert not {"result", "reset", "env"} & set(task)
    assert json.loads(task["published"]) == {"text": "Hello, Gus"}
    got = api.get(f"/v2/tasks/{task['id']}").json
    assert got["id"] == task["id"] and json.loads(got["result"]) == "Hello, Gus"
    assert not {"reset", "env"} & set(got)
    everything = api.get(f"/v2/tasks?workflow_execution_id={ex['id']}").json["tasks"]
    assert [t["id"] for t in everything] == [task["id"]]
    slim = api.get("/v2/tasks?fields=name,state").json["tasks"]
    assert slim == [{"id": task["id"], "name": "say", "state": "SUCCESS"}]
    assert api.get(f"/v2/executions/{uuid.uuid4()}/tasks").status_code == 404
    assert api.get(f"/v2/tasks/{uuid.uuid4()}").status_code == 404


def test_action_executions_of_a_task(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex = run(api, harness, "greet", name="Hal")
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    r = api.get(f"/v2/tasks/{task['id']}/action_executions")
    assert r.status_code == 200
    # As Mistral 23: a list leaves the output out unless include_output=true.
    assert "output" not in r.json["action_executions"][0]
    r = api.get(f"/v2/tasks/{task['id']}/action_executions?include_output=true")
    assert r.status_code == 200
    (action,) = r.json["action_executions"]
    assert action["name"] == "std.echo" and action["state"] == "SUCCESS"
    assert action["task_name"] == "say" and action["task_execution_id"] == task["id"]
    assert json.loads(action["output"]) == {"result": "Hello, Hal"}
    assert json.loads(action["input"]) == {"output": "Hello, Hal"}
    assert api.get(f"/v2/action_executions/{action['id']}").json["id"] == action["id"]
    by_task = api.get("/v2/action_executions?task_name=say").json["action_executions"]
    assert [a["id"] for a in by_task] == [action["id"]] and "output" not in by_task[0]
    listed = api.get("/v2/action_executions?include_output=1").json["action_executions"]
    assert json.loads(listed[0]["output"]) == {"result": "Hello, Hal"}
    assert "output" in api.get("/v2/action_executions?fields=output").json[
        "action_executions"][0]
    assert api.get("/v2/action_executions?include_output=maybe").status_code == 400
    assert api.get(f"/v2/tasks/{uuid.uuid4()}/action_executions").status_code == 404


def test_rerun_a_failed_task(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", FAILING)
    ex = run(api, harness, "failing")
    assert ex["state"] == "ERROR"
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    assert task["state"] == "ERROR"
    bad = api.put(f"/v2/tasks/{task['id']}", {"state": "SUCCESS"})
    assert bad.status_code == 400 and "RUNNING" in bad.fault
    bad = api.put(f"/v2/tasks/{task['id']}", {"state": "RUNNING", "env": "[1]"})
    assert bad.status_code == 400 and "'env'" in bad.fault
    # as Mistral 23: reset is mandatory, and only a with-items task may keep its items
    bad = api.put(f"/v2/tasks/{task['id']}", {"state": "RUNNING"})
    assert bad.status_code == 400 and "Reset" in bad.fault
    bad = api.put(f"/v2/tasks/{task['id']}", {"state": "RUNNING", "reset": False})
    assert bad.status_code == 400 and "with-items" in bad.fault and task["id"] in bad.fault
    r = api.put(f"/v2/tasks/{task['id']}", {"id": task["id"], "state": "RUNNING",
                                             "reset": True, "env": json.dumps({"k": "v"})})
    assert r.status_code == 200, r.text
    harness.run_until_idle()
    actions = api.get(f"/v2/tasks/{task['id']}/action_executions").json["action_executions"]
    assert len(actions) == 2
    assert api.get(f"/v2/executions/{ex['id']}").json["state"] == "ERROR"


CHAIN = """---
version: '2.0'

chain:
  tasks:
    first:
      action: std.fail
      on-error: [second]
    second:
      action: std.fail
      retry: {count: 1, delay: 0}
"""


def test_runtime_context_shows_what_mistral_keeps(api: ApiClient, harness: Harness) -> None:
    """As Mistral 23: triggered_by is [{task_id, event}], the retry policy's state is
    retry_task_policy, and the engine's own bookkeeping (attempts, units, result) is not
    shown; a re-run forgets what triggered the task."""
    api.post("/v2/workflows", CHAIN)
    ex = run(api, harness, "chain")
    tasks = {t["name"]: t for t in api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"]}
    assert json.loads(tasks["first"]["runtime_context"]) == {}
    second = api.get(f"/v2/tasks/{tasks['second']['id']}").json
    assert json.loads(second["runtime_context"]) == {
        "triggered_by": [{"task_id": tasks["first"]["id"], "event": "on-error"}],
        "retry_task_policy": {"retry_no": 1},
    }
    r = api.put(f"/v2/tasks/{second['id']}", {"state": "RUNNING", "reset": True})
    assert r.status_code == 200, r.text
    assert "triggered_by" not in json.loads(r.json["runtime_context"])
    assert not {"reset", "env"} & set(r.json) and "result" in r.json


def test_skip_a_failed_task(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", FAILING)
    ex = run(api, harness, "failing")
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    r = api.put(f"/v2/tasks/{task['id']}", {"state": "SKIPPED"})
    assert r.status_code == 200, r.text
    assert r.json["state"] == "SKIPPED" and r.json["state_info"] == "Task was skipped."
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{ex['id']}").json["state"] == "SUCCESS"
    assert len(api.get(f"/v2/tasks/{task['id']}/action_executions").json[
        "action_executions"]) == 1
    listed = api.get(f"/v2/tasks?workflow_execution_id={ex['id']}&state=SKIPPED").json["tasks"]
    assert [t["id"] for t in listed] == [task["id"]]
    again = api.put(f"/v2/tasks/{task['id']}", {"state": "SKIPPED"})
    assert again.status_code == 400 and "SKIPPED" in again.fault


def test_rerun_of_a_successful_task_is_refused(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex = run(api, harness, "noop")
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    r = api.put(f"/v2/tasks/{task['id']}", {"state": "RUNNING"})
    assert r.status_code == 400 and "SUCCESS" in r.fault


def test_run_action_sync_without_saving(api: ApiClient) -> None:
    r = api.post("/v2/action_executions", {"name": "std.echo",
                                           "input": json.dumps({"output": "ping"})})
    assert r.status_code == 201, r.text
    assert json.loads(r.json["output"]) == {"result": "ping"}
    assert r.json["state"] == "SUCCESS"
    assert api.get("/v2/action_executions").json["action_executions"] == []
    # as Mistral 23: not stored, so no id, owner or times, even when run asynchronously
    later = api.post("/v2/action_executions", {"name": "std.echo", "input": {"output": "x"},
                                               "params": {"run_sync": False}})
    assert later.status_code == 201, later.text
    assert all(later.json[k] is None for k in ("id", "project_id", "created_at", "updated_at"))


def test_run_action_saved_async_then_listed(api: ApiClient, harness: Harness) -> None:
    r = api.post("/v2/action_executions", {
        "name": "std.echo", "input": {"output": "pong"},
        "params": json.dumps({"save_result": True}), "description": "manual"})
    assert r.status_code == 201, r.text
    action = r.json
    harness.run_until_idle()
    got = api.get(f"/v2/action_executions/{action['id']}").json
    assert got["state"] == "SUCCESS" and json.loads(got["output"]) == {"result": "pong"}
    assert got["task_name"] is None and got["description"] == "manual"
    r = api.post("/v2/action_executions", {"name": "std.echo", "input": {"output": "x"},
                                           "params": {"save_result": True, "run_sync": True}})
    assert r.status_code == 201 and r.json["state"] == "SUCCESS"


class EagerExecutor(SyncExecutor):
    """The fastest executor there can be: it runs each action and reports its result as
    the engine hands it over (after the commit), before the API has answered."""

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        result = super().run_action(ctx, request)
        self.pump()
        return result


def test_run_action_answers_as_created_however_fast_the_executor(sqlite_database: Any) -> None:
    # As Mistral 23 (its tempest test_create_action_execution): an asynchronously run
    # action is answered RUNNING, the execution as created, even when it has already
    # finished by the time the answer goes out.
    harness = Harness(sqlite_database)
    eager = EagerExecutor(harness.executor.registry)
    eager.engine = harness.engine
    harness.engine.attach_executor(eager)
    api = build_client(sqlite_database, engine=harness.engine)
    r = api.post("/v2/action_executions", {"name": "std.echo", "input": {"output": "hi"},
                                           "params": {"save_result": True}})
    assert r.status_code == 201, r.text
    assert r.json["state"] == "RUNNING" and r.json["name"] == "std.echo"
    got = api.get(f"/v2/action_executions/{r.json['id']}").json
    assert got["state"] == "SUCCESS" and json.loads(got["output"]) == {"result": "hi"}


def test_run_action_errors(api: ApiClient) -> None:
    r = api.post("/v2/action_executions", {"input": "{}"})
    assert r.status_code == 400 and "'name'" in r.fault
    r = api.post("/v2/action_executions", {"name": "std.nope"})
    assert r.status_code in (400, 404) and "std.nope" in r.fault
    r = api.post("/v2/action_executions", {"name": "std.echo", "input": {"bogus": 1}})
    assert r.status_code == 400 and r.fault
    r = api.post("/v2/action_executions", {"name": "std.echo", "params": {"turbo": True}})
    assert r.status_code == 400 and "turbo" in r.fault
    for params, needle in (({"timeout": "soon"}, "timeout"), ({"run_sync": "yes"}, "run_sync"),
                           ({"target": 5}, "target"), ({"save_result": 1}, "save_result")):
        r = api.post("/v2/action_executions", {"name": "std.echo", "params": params})
        assert r.status_code == 400 and needle in r.fault, (params, r.text)
    r = api.post("/v2/action_executions", {"name": "std.async_noop",
                                           "params": {"run_sync": True}})
    assert r.status_code == 400 and "asynchronous" in r.fault


def test_run_async_action_without_params_is_stored(api: ApiClient, harness: Harness) -> None:
    r = api.post("/v2/action_executions", {"name": "std.async_noop"})
    assert r.status_code == 201, r.text
    harness.run_until_idle()
    got = api.get(f"/v2/action_executions/{r.json['id']}").json
    assert got["state"] == "RUNNING"
    # As Mistral 23: an output alone does not say how the action ended; nothing changes.
    alone = api.put(f"/v2/action_executions/{got['id']}", {"output": {"done": 1}})
    assert alone.status_code == 400 and "'state'" in alone.fault, alone.text
    assert api.get(f"/v2/action_executions/{got['id']}").json["state"] == "RUNNING"
    done = api.put(f"/v2/action_executions/{got['id']}", {"state": "SUCCESS", "output": "ok"})
    assert done.status_code == 200 and json.loads(done.json["output"]) == {"result": "ok"}


def test_async_action_result_delivered_through_the_api(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", ASYNC)
    ex = run(api, harness, "waiting")
    assert ex["state"] == "RUNNING"
    task = api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"][0]
    action = api.get(f"/v2/tasks/{task['id']}/action_executions").json["action_executions"][0]
    assert action["state"] == "RUNNING"
    path = f"/v2/action_executions/{action['id']}"
    assert api.put(path, {"state": "DANCING"}).status_code == 400
    r = api.put(path, {"state": "SUCCESS", "output": json.dumps("forty-two")})
    assert r.status_code == 200, r.text
    assert r.json["state"] == "SUCCESS"
    harness.run_until_idle()
    done = api.get(f"/v2/executions/{ex['id']}").json
    assert done["state"] == "SUCCESS"
    assert json.loads(done["output"]) == {"answer": "forty-two"}
    again = api.put(path, {"state": "ERROR", "output": "late"})
    assert again.status_code == 400 and "already" in again.fault


def test_action_execution_delete_is_off_by_default(api: ApiClient) -> None:
    r = api.delete(f"/v2/action_executions/{uuid.uuid4()}")
    assert r.status_code == 403 and "allow_action_execution_deletion" in r.fault  # as Mistral 23


def test_sub_executions_and_report(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", PARENT)
    ex = run(api, harness, "parent")
    assert ex["state"] == "SUCCESS"
    subs = api.get(f"/v2/executions/{ex['id']}/executions").json["executions"]
    assert [e["workflow_name"] for e in subs] == ["parent", "child"]
    child = subs[1]
    assert child["root_execution_id"] == ex["id"] and child["task_execution_id"]
    top_only = api.get(f"/v2/executions/{ex['id']}/executions?max_depth=0").json
    assert [e["id"] for e in top_only["executions"]] == [ex["id"]]
    assert api.get(f"/v2/executions/{ex['id']}/executions?errors_only=true"
                   ).json["executions"] == []
    task_subs = api.get(f"/v2/tasks/{child['task_execution_id']}/executions").json
    assert [e["id"] for e in task_subs["executions"]] == [child["id"]]
    # As Mistral 23: a subworkflow is described as one; a task's workflow_executions is a
    # plain list of them (filters and paging) without the JSON fields.
    assert child["description"] == "sub-workflow execution"
    wf_exs = api.get(
        f"/v2/tasks/{child['task_execution_id']}/workflow_executions").json["executions"]
    assert [e["id"] for e in wf_exs] == [child["id"]]
    assert not {"params", "input", "output", "source_execution_id"} & set(wf_exs[0])
    assert wf_exs[0]["state"] == "SUCCESS" and wf_exs[0]["workflow_name"] == "child"
    assert api.get(f"/v2/tasks/{child['task_execution_id']}/workflow_executions"
                   "?state=ERROR").json["executions"] == []
    assert api.get(f"/v2/tasks/{child['task_execution_id']}/workflow_executions"
                   "?fields=input").json["executions"][0]["input"]

    report = api.get(f"/v2/executions/{ex['id']}/report").json
    root = report["root_workflow_execution"]
    assert root["id"] == ex["id"] and root["state"] == "SUCCESS"
    (call,) = root["task_executions"]
    assert call["name"] == "call_child"
    (sub,) = call["workflow_executions"]
    assert sub["id"] == child["id"]
    assert sub["task_executions"][0]["action_executions"][0]["name"] == "std.echo"
    # Mistral 23's fields exactly (the differential test compares them with the real one).
    assert report["statistics"] == {
        "total_tasks_count": 2, "running_tasks_count": 0, "success_tasks_count": 2,
        "error_tasks_count": 0, "idle_tasks_count": 0, "paused_tasks_count": 0,
        "estimated_time": 0}
    assert set(root) == {"id", "name", "state", "state_info", "created_at", "updated_at",
                         "task_executions"}
    assert set(sub["task_executions"][0]["action_executions"][0]) == {
        "id", "name", "state", "state_info", "accepted", "last_heartbeat", "created_at",
        "updated_at"}
    # As Mistral 23: below max_depth a subworkflow is shown without its tasks.
    shallow = api.get(f"/v2/executions/{ex['id']}/report?max_depth=0").json
    (capped,) = shallow["root_workflow_execution"]["task_executions"][0]["workflow_executions"]
    assert set(capped) == {"id", "name", "state", "state_info", "created_at", "updated_at"}
    assert capped["name"] == "child" and capped["id"] == child["id"]
    stats = api.get(f"/v2/executions/{ex['id']}/report?statistics_only=true").json
    assert set(stats) == {"statistics"}
    assert api.get(f"/v2/executions/{uuid.uuid4()}/report").status_code == 404


def test_listing_executions_is_one_query(api: ApiClient, sqlite_database: Any) -> None:
    with sqlite_database.transaction() as tx:
        tx.workflow_executions.create_many([
            {"workflow_name": "wf", "state": "SUCCESS", "input": {"i": i}, "params": {},
             "project_id": "<default-project>"}
            for i in range(300)
        ])
    selects: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(sqlite_database.engine, "before_cursor_execute", count)
    try:
        r = api.get("/v2/executions?limit=1000")
        tasks = api.get("/v2/tasks?limit=1000")
    finally:
        event.remove(sqlite_database.engine, "before_cursor_execute", count)
    assert r.status_code == 200 and len(r.json["executions"]) == 300
    assert tasks.status_code == 200
    assert len(selects) <= 2, selects


def test_report_errors_only_counts_only_the_failed_tasks(api: ApiClient,
                                                         harness: Harness) -> None:
    # As Mistral 23: with errors_only the statistics count the tasks shown (the failed ones).
    api.post("/v2/workflows", """---
version: '2.0'
half_fails:
  tasks:
    boom:
      action: std.fail
      on-error: [after]
    after:
      action: std.echo output="recovered"
      on-success: [again]
    again:
      action: std.fail
""")
    ex = run(api, harness, "half_fails")
    assert ex["state"] == "ERROR"
    path = f"/v2/executions/{ex['id']}/report"
    errors = api.get(path + "?errors_only=true").json
    assert sorted(t["name"] for t in errors["root_workflow_execution"]["task_executions"]) == [
        "again", "boom"]
    assert errors["statistics"]["total_tasks_count"] == 2
    assert errors["statistics"]["error_tasks_count"] == 2
    assert errors["statistics"]["success_tasks_count"] == 0
    stats = api.get(path + "?errors_only=true&statistics_only=true").json["statistics"]
    assert stats == errors["statistics"]
    everything = api.get(path).json["statistics"]
    assert everything["total_tasks_count"] == 3 and everything["success_tasks_count"] == 1


def test_json_fields_filter_by_an_object(api: ApiClient, harness: Harness) -> None:
    """As Mistral 23: published={...} or input={...} is JSON compared with the stored value."""
    api.post("/v2/workflows", WORKFLOWS)
    ex = run(api, harness, "greet", name="Ivy")
    base = f"/v2/tasks?workflow_execution_id={ex['id']}"
    published = json.dumps({"text": "Hello, Ivy"})
    assert [t["name"] for t in api.get(f"{base}&published={published}").json["tasks"]] \
        == ["say"]
    assert api.get(base + '&published={"text": "Hello, Eve"}').json["tasks"] == []
    assert [t["name"] for t in api.get(f"{base}&published=neq:{{}}").json["tasks"]] == ["say"]
    bad = api.get(f"{base}&published=nope")
    assert bad.status_code == 400 and "'published'" in bad.fault
    task = api.get(base).json["tasks"][0]
    by_input = api.get(f"/v2/action_executions?task_execution_id={task['id']}"
                       '&input={"output": "Hello, Ivy"}').json["action_executions"]
    assert len(by_input) == 1 and by_input[0]["task_execution_id"] == task["id"]


def test_update_of_an_action_execution_judges_the_body_first(api: ApiClient) -> None:
    """As Mistral 23: a bad output or state is a 400 even for an unknown id, then a 404."""
    path = f"/v2/action_executions/{uuid.uuid4()}"
    r = api.put(path, {"state": "SUCCESS", "output": 1})
    assert r.status_code == 400 and "'output'" in r.fault
    r = api.put(path, {"state": "SLEEPY"})
    assert r.status_code == 400 and "SLEEPY" in r.fault
    assert api.put(path, {"state": "SUCCESS", "output": {"a": 1}}).status_code == 404


POLICIES = """---
version: '2.0'

rc_shapes:
  tasks:
    items:
      with-items: x in [1, 2, 3]
      concurrency: 2
      action: std.echo output=<% $.x %>
      on-success: [retried]
    plain_items:
      with-items: x in [1, 2]
      action: std.echo output=<% $.x %>
    retried:
      action: std.fail
      retry: {count: 1, delay: 0}
      on-error: [waited]
    waited:
      action: std.noop
      wait-before: 1
      wait-after: 1
"""


def test_runtime_context_of_with_items_and_policies(api: ApiClient, harness: Harness) -> None:
    """The shapes Mistral 23 shows for with-items, concurrency, retry and wait policies."""
    api.post("/v2/workflows", POLICIES)
    ex = run(api, harness, "rc_shapes")
    for _ in range(2):  # past wait-before, then wait-after
        harness.clock.advance(1)
        harness.run_until_idle()
    tasks = {t["name"]: t for t in api.get(
        f"/v2/executions/{ex['id']}/tasks?fields=name,state,runtime_context").json["tasks"]}
    rc = {n: json.loads(t["runtime_context"]) for n, t in tasks.items()}
    assert tasks["waited"]["state"] == "SUCCESS"
    assert rc["plain_items"] == {"with_items": {"capacity": None, "count": 2}}
    assert rc["items"] == {"concurrency": 2, "with_items": {"capacity": 2, "count": 3}}
    assert rc["retried"] == {
        "triggered_by": [{"task_id": tasks["items"]["id"], "event": "on-success"}],
        "retry_task_policy": {"retry_no": 1}}
    assert rc["waited"] == {
        "triggered_by": [{"task_id": tasks["retried"]["id"], "event": "on-error"}],
        "wait_before_policy": {"skip": True}, "wait_after_policy": {"skip": True}}


JOIN_AND_REVERSE = """---
version: '2.0'

joined:
  tasks:
    a:
      action: std.noop
      on-success: [j]
    b:
      action: std.noop
      on-complete: [j]
    j:
      join: all
      action: std.noop

required:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
      requires: [a]
"""


def test_triggered_by_of_a_join_and_of_a_reverse_workflow(api: ApiClient,
                                                          harness: Harness) -> None:
    """As Mistral 23: a join lists every inbound task with the clause it took; a reverse
    workflow's tasks have no triggered_by."""
    api.post("/v2/workflows", JOIN_AND_REVERSE)
    ex = run(api, harness, "joined")
    tasks = {t["name"]: t for t in api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"]}
    trig = json.loads(tasks["j"]["runtime_context"])["triggered_by"]
    assert sorted(trig, key=lambda t: t["event"]) == [
        {"task_id": tasks["b"]["id"], "event": "on-complete"},
        {"task_id": tasks["a"]["id"], "event": "on-success"}]
    r = api.post("/v2/executions", {"workflow_name": "required", "params": {"task_name": "b"}})
    assert r.status_code == 201, r.text
    harness.run_until_idle()
    listed = api.get(f"/v2/executions/{r.json['id']}/tasks").json["tasks"]
    assert sorted(t["name"] for t in listed) == ["a", "b"]
    assert all(json.loads(t["runtime_context"]) == {} for t in listed)


RESULTS = """
version: '2.0'
d_results:
  tasks:
    quiet:
      action: std.noop
      on-success: [missing]
    missing:
      action: d_no_such_action
"""


def test_a_task_result_is_null_for_an_action_that_gave_none_and_empty_without_an_action(
        api: ApiClient, harness: Harness) -> None:
    # As Mistral 23: the JSON text of the results of the task's actions ("[]" for none)
    assert api.post("/v2/workflows", RESULTS).status_code == 201
    ex = run(api, harness, "d_results")
    tasks = {t["name"]: t for t in api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"]}
    assert api.get(f"/v2/tasks/{tasks['quiet']['id']}").json["result"] == "null"
    assert api.get(f"/v2/tasks/{tasks['missing']['id']}").json["result"] == "[]"
