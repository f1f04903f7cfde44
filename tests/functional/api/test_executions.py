"""/v2/executions: start (idempotent with a client id), read, list, pause/resume/cancel, delete."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import ASYNC, FAILING, WORKFLOWS
from tests.functional.engine.harness import Harness


def start(api: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v2/executions", body)
    assert r.status_code == 201, r.text
    return r.json


def test_start_run_and_read(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex = start(api, {"workflow_name": "greet", "input": json.dumps({"name": "Ann"}),
                     "description": "first"})
    assert ex["workflow_name"] == "greet" and ex["description"] == "first"
    assert ex["state"] in ("RUNNING", "SUCCESS")
    assert json.loads(ex["input"]) == {"name": "Ann", "greeting": "Hello"}
    assert isinstance(ex["params"], str) and ex["task_execution_id"] is None
    harness.run_until_idle()
    done = api.get(f"/v2/executions/{ex['id']}").json
    assert done["state"] == "SUCCESS"
    assert json.loads(done["output"]) == {"text": "Hello, Ann"}


def test_start_by_workflow_id_with_input_as_object(api: ApiClient, harness: Harness) -> None:
    wf = api.post("/v2/workflows?namespace=ns", WORKFLOWS).json["workflows"][0]
    ex = start(api, {"workflow_id": wf["id"], "input": {"name": "Bo"}})
    assert ex["workflow_id"] == wf["id"] and ex["workflow_namespace"] == "ns"
    ex2 = start(api, {"workflow_name": "greet", "workflow_namespace": "ns",
                      "input": {"name": "Cy"}})
    assert ex2["workflow_id"] == wf["id"]
    # As Mistral 23: the namespace is recorded in params (the workflow's when not given),
    # with an empty env.
    assert json.loads(ex["params"]) == {"namespace": "ns", "env": {}}
    assert json.loads(ex2["params"]) == {"namespace": "ns", "env": {}}


def test_start_resolves_a_name_in_exactly_the_given_namespace(api: ApiClient) -> None:
    # One rule (mistral.db.names.workflow_by_identifier) for the API and the engine: a
    # name is looked for in the given namespace only, never in the default one.
    api.post("/v2/workflows", WORKFLOWS)
    r = api.post("/v2/executions", {"workflow_name": "greet", "workflow_namespace": "other",
                                    "input": {"name": "Di"}})
    assert r.status_code == 404 and "greet" in r.fault and "other" in r.fault
    assert api.get("/v2/executions").json["executions"] == []


NESTED = {
    "low": "---\nversion: '2.0'\nlow:\n  tasks:\n    t:\n      action: std.noop\n",
    "middle": "---\nversion: '2.0'\nmiddle:\n  tasks:\n    t:\n      workflow: low\n",
    "top": "---\nversion: '2.0'\ntop:\n  tasks:\n    t:\n      workflow: middle\n",
}


def test_subworkflows_inherit_the_root_namespace(api: ApiClient, harness: Harness) -> None:
    # As Mistral 23 (its tempest test of nested workflows in a namespace): 'middle' exists
    # only in the default namespace, 'low' in both; started in 'abc', every level's params
    # carry namespace 'abc' and 'middle' finds the 'low' of 'abc'.
    api.post("/v2/workflows", NESTED["low"])
    low_abc = api.post("/v2/workflows?namespace=abc", NESTED["low"]).json["workflows"][0]
    api.post("/v2/workflows", NESTED["middle"])
    api.post("/v2/workflows?namespace=abc", NESTED["top"])
    top = start(api, {"workflow_name": "top", "workflow_namespace": "abc"})
    harness.run_until_idle()
    rows = {e["workflow_name"]: e for e in api.get("/v2/executions").json["executions"]}
    assert {name: e["state"] for name, e in rows.items()} == {
        "top": "SUCCESS", "middle": "SUCCESS", "low": "SUCCESS"}
    assert rows["middle"]["workflow_namespace"] == ""
    assert rows["low"]["workflow_namespace"] == "abc"
    assert rows["low"]["workflow_id"] == low_abc["id"]
    for name in ("middle", "low"):
        params = json.loads(rows[name]["params"])
        assert params["namespace"] == "abc"
        assert params["root_execution_id"] == top["id"]
        assert params["task_execution_id"] == rows[name]["task_execution_id"]
        assert params["index"] == 0


def test_client_chosen_id_is_idempotent(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex_id = str(uuid.uuid4())
    body = {"id": ex_id, "workflow_name": "greet", "input": json.dumps({"name": "Di"})}
    first = start(api, body)
    again = start(api, body)
    assert first["id"] == again["id"] == ex_id
    harness.run_until_idle()
    assert len(api.get("/v2/executions").json["executions"]) == 1


def test_start_errors(api: ApiClient) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    r = api.post("/v2/executions", {"input": "{}"})
    assert r.status_code == 400 and "workflow" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "nope"})
    assert r.status_code == 404 and "nope" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": "[1]"})
    assert r.status_code == 400 and "'input'" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": "{bad"})
    assert r.status_code == 400 and "'input'" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": "{}"})
    assert r.status_code == 400 and "name" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": {"name": "x",
                                                                         "unexpected": 1}})
    assert r.status_code == 400 and "unexpected" in r.fault
    r = api.post("/v2/executions", {"workflow_name": "greet", "params": {"env": "no-env"},
                                    "input": {"name": "x"}})
    assert r.status_code == 400 and "no-env" in r.fault  # as Mistral 23
    assert api.get("/v2/executions").json["executions"] == []


def test_env_by_name(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/environments", {"name": "prod", "variables": {"greeting": "Hey"}})
    api.post("/v2/workflows", WORKFLOWS.replace('"<% $.greeting %>', '"<% env().greeting %>'))
    ex = start(api, {"workflow_name": "greet", "input": {"name": "Ed"},
                     "params": json.dumps({"env": "prod"})})
    assert json.loads(ex["params"])["env"] == {"greeting": "Hey"}
    harness.run_until_idle()
    out = json.loads(api.get(f"/v2/executions/{ex['id']}").json["output"])
    assert out == {"text": "Hey, Ed"}


def test_rerun_from_source_execution(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    src = start(api, {"workflow_name": "greet", "input": {"name": "Flo"}, "description": "d"})
    harness.run_until_idle()
    again = start(api, {"source_execution_id": src["id"]})
    assert again["id"] != src["id"] and again["workflow_id"] == src["workflow_id"]
    assert json.loads(again["input"]) == json.loads(src["input"])
    assert api.post("/v2/executions", {"source_execution_id": str(uuid.uuid4())}
                    ).status_code == 404


def test_list_filters_and_fields(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    a = start(api, {"workflow_name": "greet", "input": {"name": "A"}})
    b = start(api, {"workflow_name": "noop"})
    harness.run_until_idle()

    def ids(query: str) -> list[str]:
        r = api.get("/v2/executions?" + query)
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json["executions"]]

    assert ids("workflow_name=greet") == [a["id"]]
    assert set(ids("workflow_name=in:greet,noop")) == {a["id"], b["id"]}
    assert ids("workflow_name=nin:greet,noop") == []
    assert set(ids("state=SUCCESS")) == {a["id"], b["id"]}
    assert ids("state=ERROR") == []
    assert set(ids("created_at=gte:2000-01-01&created_at=gte:2000-01-01")) == {a["id"], b["id"]}
    assert set(ids("created_at=gte:2000-01-01")) == {a["id"], b["id"]}
    assert ids("created_at=gt:2999-01-01") == []
    assert set(ids("created_at=gte:2000-01-01&created_at=lt:2999-01-01")) == {a["id"], b["id"]}
    assert ids("created_at=gte:2000-01-01&created_at=lt:2000-01-02") == []
    assert set(ids("nulls=root_execution_id")) == {a["id"], b["id"]}
    listed = api.get("/v2/executions?workflow_name=greet").json["executions"][0]
    assert "output" not in listed
    with_output = api.get("/v2/executions?workflow_name=greet&include_output=true").json
    assert json.loads(with_output["executions"][0]["output"]) == {"text": "Hello, A"}
    slim = api.get("/v2/executions?fields=state").json["executions"]
    assert all(set(e) == {"id", "state"} for e in slim)
    assert api.get("/v2/executions?state=in:").status_code == 200


def test_pause_resume_cancel(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", ASYNC)
    ex = start(api, {"workflow_name": "waiting"})
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    r = api.put(path, {"state": "PAUSED"})
    assert r.status_code == 200 and r.json["state"] == "PAUSED"
    r = api.put(path, {"state": "RUNNING"})
    assert r.status_code == 200 and r.json["state"] == "RUNNING"
    r = api.put(path, {"state": "CANCELLED", "state_info": "no longer needed"})
    assert r.status_code == 200 and r.json["state"] == "CANCELLED"
    assert "no longer needed" in (r.json["state_info"] or "")
    # As Mistral 23: a cancelled execution's output is its reason; GET shows
    # published_global, the other answers do not.
    got = api.get(path).json
    assert json.loads(got["output"]) == {"result": "no longer needed"}
    assert json.loads(got["published_global"]) == {} and "published_global" not in r.json
    r = api.put(path, {"state": "PAUSED"})
    assert r.status_code == 400 and r.fault
    r = api.put(path, {"state": "PAUSED", "description": "should not stick"})
    assert r.status_code == 400
    assert api.get(path).json["description"] != "should not stick"


def test_update_description_and_bad_updates(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", WORKFLOWS)
    ex = start(api, {"workflow_name": "noop"})
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    r = api.put(path, {"description": "renamed"})
    assert r.status_code == 200 and r.json["description"] == "renamed"
    cases = [({}, "Nothing"), ({"state": "DANCING"}, "DANCING"),
             ({"params": {"priority": 1}}, "priority"),
             ({"state": "RUNNING"}, "")]
    for body, needle in cases:
        r = api.put(path, body)
        assert r.status_code == 400, (body, r.text)
        assert needle in r.fault, (body, r.fault)
    # As Mistral 23: the env of a finished execution is not to be changed (a 403).
    r = api.put(path, {"params": {"env": {"a": 1}}})
    assert r.status_code == 403 and "env" in r.fault
    assert json.loads(api.get(path).json["params"])["env"] == {}
    assert api.put("/v2/executions/" + str(uuid.uuid4()), {"state": "PAUSED"}
                   ).status_code == 404
    # As Mistral 23: an unknown execution is a 404 before its body is judged.
    for body in ({}, {"state": "bogus"}):
        assert api.put("/v2/executions/" + str(uuid.uuid4()), body).status_code == 404


def test_env_update_while_paused(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", ASYNC)
    ex = start(api, {"workflow_name": "waiting", "params": {"env": {"a": 1}}})
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    assert api.put(path, {"state": "PAUSED"}).status_code == 200
    r = api.put(path, {"params": {"env": {"b": 2}}})
    assert r.status_code == 200, r.text
    assert json.loads(r.json["params"])["env"] == {"a": 1, "b": 2}


def test_delete(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", ASYNC + FAILING.replace("---\nversion: '2.0'\n", ""))
    running = start(api, {"workflow_name": "waiting"})
    failed = start(api, {"workflow_name": "failing"})
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{failed['id']}").json["state"] == "ERROR"
    assert api.delete(f"/v2/executions/{failed['id']}").status_code == 204
    assert api.get(f"/v2/executions/{failed['id']}").status_code == 404
    r = api.delete(f"/v2/executions/{running['id']}")
    assert r.status_code == 400 and "force" in r.fault
    assert api.delete(f"/v2/executions/{running['id']}?force=true").status_code == 204
    assert api.get(f"/v2/executions/{running['id']}").status_code == 404
    assert api.delete(f"/v2/executions/{running['id']}").status_code == 404


def test_delete_workflow_with_running_execution_is_refused(api: ApiClient,
                                                           harness: Harness) -> None:
    api.post("/v2/workflows", ASYNC)
    start(api, {"workflow_name": "waiting"})
    harness.run_until_idle()
    r = api.delete("/v2/workflows/waiting")
    assert r.status_code == 400 and "running" in r.fault


def test_concurrent_retries_with_one_id_make_one_execution(api_all_db: ApiClient,
                                                           harness_all_db: Harness) -> None:
    api, harness = api_all_db, harness_all_db
    import threading

    api.post("/v2/workflows", WORKFLOWS)
    ex_id = str(uuid.uuid4())
    body = {"id": ex_id, "workflow_name": "greet", "input": {"name": "Race"}}
    barrier = threading.Barrier(4)
    replies: list[Any] = []

    def post() -> None:
        barrier.wait()
        replies.append(api.post("/v2/executions", body))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in replies] == [201] * 4, [r.text for r in replies]
    assert {r.json["id"] for r in replies} == {ex_id}
    harness.run_until_idle()
    assert [e["id"] for e in api.get("/v2/executions").json["executions"]] == [ex_id]


def test_reverse_workflow_with_task_name(api: ApiClient, harness: Harness) -> None:
    api.post("/v2/workflows", """---
version: '2.0'
rev:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
      requires: [a]
    c:
      action: std.noop
""")
    ex = start(api, {"workflow_name": "rev", "params": json.dumps({"task_name": "b"})})
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{ex['id']}").json["state"] == "SUCCESS"
    names = sorted(t["name"] for t in api.get(f"/v2/executions/{ex['id']}/tasks").json["tasks"])
    assert names == ["a", "b"]


def test_input_above_the_field_size_limit_is_413(tmp_path: Any) -> None:
    from mistral.db.api import Database
    from tests.functional.api.client import build_client

    db = Database(f"sqlite:///{tmp_path}/limited.db", field_size_limit_kb=1)
    db.create_schema()
    try:
        limited = Harness(db)
        api = build_client(db, engine=limited.engine)
        api.post("/v2/workflows", WORKFLOWS)
        r = api.post("/v2/executions", {"workflow_name": "greet",
                                        "input": {"name": "x" * 4096}})
        assert r.status_code == 413 and "input" in r.fault
        assert api.get("/v2/executions").json["executions"] == []
    finally:
        db.dispose()


def test_start_answers_the_execution_as_its_start_left_it(api: ApiClient,
                                                           harness: Harness) -> None:
    # As Mistral 23: the POST answers the execution its start committed (RUNNING), even
    # when its tasks, here std.noop run by the engine itself, have finished it by now.
    api.post("/v2/workflows", WORKFLOWS)
    ex = start(api, {"workflow_name": "noop"})
    assert ex["state"] == "RUNNING" and json.loads(ex["output"]) == {}
    assert ex["created_at"] and ex["updated_at"] and " " in ex["created_at"]
    assert ex["tags"] == [] and "source_execution_id" not in ex
    harness.run_until_idle()
    assert api.get(f"/v2/executions/{ex['id']}").json["state"] == "SUCCESS"


def test_description_update_answers_without_the_json_fields(api: ApiClient,
                                                            harness: Harness) -> None:
    # As Mistral 23: a new description is answered without params, input and output
    # (its update leaves them unread); other updates answer the whole execution.
    api.post("/v2/workflows", ASYNC)
    ex = start(api, {"workflow_name": "waiting", "params": {"env": {"a": 1}}})
    harness.run_until_idle()
    path = f"/v2/executions/{ex['id']}"
    r = api.put(path, {"description": "renamed"})
    assert r.status_code == 200 and r.json["description"] == "renamed"
    assert not {"params", "input", "output", "published_global"} & set(r.json)
    assert r.json["state"] == "RUNNING" and r.json["workflow_name"] == "waiting"
    assert json.loads(api.get(path).json["params"])["env"] == {"a": 1}
    r = api.put(path, {"state": "PAUSED"})
    assert r.status_code == 200 and {"params", "input", "output"} <= set(r.json)


def test_lists_show_no_source_execution_id(api: ApiClient, harness: Harness) -> None:
    # As Mistral 23: it is no column there, so a list never shows it.
    api.post("/v2/workflows", WORKFLOWS)
    src = start(api, {"workflow_name": "noop"})
    harness.run_until_idle()
    start(api, {"source_execution_id": src["id"]})
    harness.run_until_idle()
    listed = api.get("/v2/executions").json["executions"]
    assert len(listed) == 2 and all("source_execution_id" not in e for e in listed)
    slim = api.get("/v2/executions?fields=source_execution_id").json["executions"]
    assert all(set(e) == {"id"} for e in slim)


def test_list_by_a_json_field(api: ApiClient, harness: Harness) -> None:
    # As Mistral 23: a filter on input, output or params is a JSON value compared with the
    # whole stored value; text that is not JSON is a 400 naming the filter.
    api.post("/v2/workflows", WORKFLOWS)
    a = start(api, {"workflow_name": "greet", "input": {"name": "A"}})
    start(api, {"workflow_name": "greet", "input": {"name": "B"}})
    harness.run_until_idle()

    def ids(**query: str) -> list[str]:
        r = api.get("/v2/executions?" + urllib.parse.urlencode(query))
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json["executions"]]

    assert ids(input='{"name": "A", "greeting": "Hello"}') == [a["id"]]
    assert ids(input='{"name": "A"}') == []
    assert ids(output='{"text": "Hello, A"}') == [a["id"]]
    r = api.get("/v2/executions?input=name%3DA")
    assert r.status_code == 400 and "input" in r.fault
