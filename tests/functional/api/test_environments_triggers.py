"""/v2/environments, /v2/cron_triggers, /v2/event_triggers, /v2/services."""

from __future__ import annotations

import json

from tests.functional.api.client import build_client, ApiClient
from tests.functional.api.samples import ONE_WORKFLOW


def _set(body: dict) -> dict:
    """A GET answer without its null fields, as a create answer has it."""
    return {k: v for k, v in body.items() if v is not None}


def test_environment_lifecycle(api: ApiClient) -> None:
    body = {"name": "dev", "description": "for dev", "variables": json.dumps({"a": 1})}
    r = api.post("/v2/environments", body)
    assert r.status_code == 201, r.text
    env = r.json
    assert json.loads(env["variables"]) == {"a": 1} and env["scope"] == "private"
    assert _set(api.get("/v2/environments/dev").json) == env
    assert api.post("/v2/environments", body).status_code == 409
    r = api.put("/v2/environments", {"name": "dev", "variables": {"a": 2, "b": [1]}})
    assert r.status_code == 200
    assert json.loads(r.json["variables"]) == {"a": 2, "b": [1]}
    listed = api.get("/v2/environments").json["environments"]
    assert [e["name"] for e in listed] == ["dev"]
    assert api.delete("/v2/environments/dev").status_code == 204
    assert api.get("/v2/environments/dev").status_code == 404
    assert api.put("/v2/environments", {"name": "dev"}).status_code == 404


def test_environment_bad_input(api: ApiClient) -> None:
    r = api.post("/v2/environments", {"variables": "{}"})
    assert r.status_code == 400 and "'name'" in r.fault
    r = api.post("/v2/environments", {"name": "x", "variables": "{not json"})
    assert r.status_code == 400 and "'variables'" in r.fault
    r = api.post("/v2/environments", {"name": "x", "variables": "[1, 2]"})
    assert r.status_code == 400 and "'variables'" in r.fault
    r = api.post("/v2/environments", {"name": "x", "variables": {}, "scope": "galaxy"})
    assert r.status_code == 400 and "galaxy" in r.fault
    assert api.get("/v2/environments").json["environments"] == []


def test_cron_trigger_lifecycle(api: ApiClient) -> None:
    wf = api.post("/v2/workflows", ONE_WORKFLOW).json["workflows"][0]
    r = api.post("/v2/cron_triggers", {
        "name": "nightly", "workflow_name": "single", "pattern": "0 3 * * *",
        "workflow_input": json.dumps({}), "remaining_executions": 5,
    })
    assert r.status_code == 201, r.text
    ct = r.json
    assert ct["workflow_id"] == wf["id"] and ct["workflow_name"] == "single"
    assert ct["next_execution_time"].endswith("03:00:00")
    assert json.loads(ct["workflow_input"]) == {}
    assert ct["remaining_executions"] == 5
    assert api.get("/v2/cron_triggers/nightly").json["id"] == ct["id"]
    assert api.get(f"/v2/cron_triggers/{ct['id']}").json["name"] == "nightly"
    assert [c["name"] for c in api.get("/v2/cron_triggers").json["cron_triggers"]] == ["nightly"]
    assert api.post("/v2/cron_triggers", {"name": "nightly", "workflow_id": wf["id"],
                                          "pattern": "* * * * *"}).status_code == 409
    assert api.delete("/v2/cron_triggers/nightly").status_code == 204
    assert api.get("/v2/cron_triggers/nightly").status_code == 404
    assert api.delete("/v2/workflows/single").status_code == 204


def test_cron_trigger_twin_is_a_conflict(api: ApiClient) -> None:
    # As Mistral 23 (measured; its unique key on workflow, input, params, pattern, first
    # execution time and remaining executions): a second trigger of the project that would
    # do exactly what one does is a 409; a NULL time or count never clashes.
    # (an optional input x: a trigger's input is checked against the workflow's)
    api.post("/v2/workflows", ONE_WORKFLOW.replace("  tasks:", "  input:\n    - x: 0\n  tasks:"))
    same = {"workflow_name": "single", "pattern": "5 * * * *",
            "first_execution_time": "4242-12-25 13:37", "remaining_executions": "42"}
    assert api.post("/v2/cron_triggers", {"name": "t1", **same}).status_code == 201
    r = api.post("/v2/cron_triggers", {"name": "t2", **same})
    assert r.status_code == 409 and "'t1'" in r.fault
    for name, change in (("t3", {"remaining_executions": 41}),
                         ("t4", {"workflow_input": {"x": 1}}),
                         ("t5", {"workflow_params": {"env": {}}})):
        assert api.post("/v2/cron_triggers", {"name": name, **same, **change}
                        ).status_code == 201, name
    no_time = {k: v for k, v in same.items() if k != "first_execution_time"}
    assert api.post("/v2/cron_triggers", {"name": "t6", **no_time}).status_code == 201
    assert api.post("/v2/cron_triggers", {"name": "t7", **no_time}).status_code == 201
    once = {"workflow_name": "single", "first_execution_time": "4243-01-01 10:00",
            "remaining_executions": 1}
    assert api.post("/v2/cron_triggers", {"name": "t8", **once}).status_code == 201
    assert api.post("/v2/cron_triggers", {"name": "t9", **once}).status_code == 409
    names = [c["name"] for c in api.get("/v2/cron_triggers").json["cron_triggers"]]
    assert sorted(names) == ["t1", "t3", "t4", "t5", "t6", "t7", "t8"]


def test_cron_trigger_first_time_only(api: ApiClient) -> None:
    api.post("/v2/workflows", ONE_WORKFLOW)
    r = api.post("/v2/cron_triggers", {"name": "once", "workflow_name": "single",
                                       "first_execution_time": "2999-01-01 10:00",
                                       "remaining_executions": 1})
    assert r.status_code == 201, r.text
    assert r.json["first_execution_time"] == "2999-01-01 10:00:00"
    assert r.json["next_execution_time"] == "2999-01-01 10:00:00"
    assert r.json["pattern"] is None  # null, and there (as Mistral 23 sets it)


def test_cron_trigger_bad_input(api: ApiClient) -> None:
    api.post("/v2/workflows", ONE_WORKFLOW)
    base = {"name": "t", "workflow_name": "single"}
    cases = [
        ({**base, "pattern": "not a cron"}, "pattern"),
        (base, "pattern"),
        ({**base, "first_execution_time": "2001-01-01 00:00"}, "future"),
        ({**base, "first_execution_time": "tomorrow"}, "first_execution_time"),
        ({**base, "pattern": "* * * * *", "remaining_executions": 0}, "remaining_executions"),
        ({"name": "t", "pattern": "* * * * *"}, "workflow"),
        ({**base, "pattern": "* * * * *", "workflow_input": "[1]"}, "workflow_input"),
        ({**base, "pattern": "* * * * *", "remaining_executions": "forty"},
         "remaining_executions"),
        ({**base, "pattern": "* * * * *", "remaining_executions": 4.5}, "remaining_executions"),
    ]
    for body, needle in cases:
        r = api.post("/v2/cron_triggers", body)
        assert r.status_code == 400, (body, r.text)
        assert needle in r.fault, (body, r.fault)
    r = api.post("/v2/cron_triggers", {**base, "workflow_name": "nope", "pattern": "* * * * *"})
    assert r.status_code == 404
    assert api.get("/v2/cron_triggers").json["cron_triggers"] == []
    # As Mistral 23 (WSME): a numeric string is the integer.
    r = api.post("/v2/cron_triggers", {**base, "pattern": "* * * * *",
                                       "remaining_executions": "42"})
    assert r.status_code == 201 and r.json["remaining_executions"] == 42, r.text


def test_event_trigger_lifecycle(api: ApiClient) -> None:
    wf = api.post("/v2/workflows", ONE_WORKFLOW.replace("single:\n", "single:\n  input: [a]\n")
                  ).json["workflows"][0]
    body = {"name": "on_create", "workflow_id": wf["id"], "exchange": "nova",
            "topic": "notifications", "event": "compute.instance.create.end",
            "workflow_input": json.dumps({"a": 1})}
    r = api.post("/v2/event_triggers", body)
    assert r.status_code == 201, r.text
    et = r.json
    assert et["exchange"] == "nova" and json.loads(et["workflow_input"]) == {"a": 1}
    # As Mistral 23: an event trigger's create answer has its null fields (updated_at).
    assert et["updated_at"] is None and api.get(f"/v2/event_triggers/{et['id']}").json == et
    assert api.post("/v2/event_triggers", body).status_code == 409
    r = api.put(f"/v2/event_triggers/{et['id']}", {"name": "renamed"})
    assert r.status_code == 200 and r.json["name"] == "renamed"
    r = api.put(f"/v2/event_triggers/{et['id']}", {"topic": "other"})
    assert r.status_code == 400 and "topic" in r.fault
    assert api.delete("/v2/workflows/single").status_code == 400
    assert [e["name"] for e in api.get("/v2/event_triggers").json["event_triggers"]] == ["renamed"]
    assert api.delete(f"/v2/event_triggers/{et['id']}").status_code == 204
    assert api.get(f"/v2/event_triggers/{et['id']}").status_code == 404


def test_event_trigger_bad_input(api: ApiClient) -> None:
    r = api.post("/v2/event_triggers", {"name": "x"})
    assert r.status_code == 400 and "workflow_id" in r.fault
    r = api.post("/v2/event_triggers", {"name": "x", "workflow_id": "nope", "exchange": "e",
                                        "topic": "t", "event": "v"})
    assert r.status_code == 400 and "workflow_id" in r.fault  # as Mistral 23: not a UUID
    r = api.post("/v2/event_triggers", {"workflow_id": "3771c152-d1a7-4a82-8a50-c79d122012dc",
                                        "exchange": "e", "topic": "t", "event": "v"})
    assert r.status_code == 404
    wf = api.post("/v2/workflows", ONE_WORKFLOW.replace("single:\n", "single:\n  input: [a]\n")
                  ).json["workflows"][0]
    body = {"name": "x", "workflow_id": wf["id"], "exchange": "e", "topic": "t", "event": "v"}
    for bad in ({}, {"a": 1, "b": 2}):
        r = api.post("/v2/event_triggers", {**body, "workflow_input": bad})
        assert r.status_code == 400 and "workflow_input" in r.fault, r.text
    assert api.get("/v2/event_triggers").json["event_triggers"] == []


def test_event_trigger_name_is_optional(api: ApiClient) -> None:
    # As Mistral 23: "" (or no name) is stored as ""; a trigger is known by its event.
    wf = api.post("/v2/workflows", ONE_WORKFLOW).json["workflows"][0]
    body = {"workflow_id": wf["id"], "exchange": "nova", "topic": "notifications",
            "event": "compute.instance.create.end"}
    r = api.post("/v2/event_triggers", {**body, "name": "named"})
    assert r.status_code == 201, r.text
    assert api.post("/v2/event_triggers", {**body, "name": ""}).status_code == 409
    r = api.post("/v2/event_triggers", {**body, "event": "other", "name": ""})
    assert r.status_code == 201 and r.json["name"] == "", r.text
    r = api.post("/v2/event_triggers", {**body, "event": "third"})
    assert r.status_code == 201 and r.json["name"] == "", r.text


def test_services_lists_live_members(sqlite_database: object) -> None:
    members = [{"name": "engine-1", "type": "engine_group"},
               {"name": "executor-1", "type": "executor_group"}]
    client = build_client(sqlite_database, list_services=lambda: members)
    r = client.get("/v2/services")
    assert r.status_code == 200
    assert r.json == {"services": members}


def test_a_json_field_filters_by_the_value_it_stands_for(api: ApiClient) -> None:
    # As Mistral 23: variables={"k": "w"} finds the environment of those variables.
    for name, variables in (("e1", {"k": "v", "n": [1, 2]}), ("e2", {"k": "w"})):
        assert api.post("/v2/environments", {"name": name, "variables": variables}).status_code == 201
    names = lambda q: [e["name"]  # noqa: E731
                       for e in api.get("/v2/environments?" + q).json["environments"]]
    assert names('variables={"k": "w"}') == ["e2"]
    assert names('variables={"k":"v","n":[1,2]}') == ["e1"]
    assert names('variables=neq:{"k": "w"}') == ["e1"]
    # As Mistral 23 (the differential corpus measures it): text that is not JSON is a 400.
    bad = api.get("/v2/environments?variables={not json")
    assert bad.status_code == 400 and "'variables'" in bad.fault, bad.text
    api.post("/v2/workflows", ONE_WORKFLOW)
    r = api.post("/v2/cron_triggers", {"name": "c", "workflow_name": "single",
                                       "pattern": "0 3 * * *", "workflow_input": {}})
    assert r.status_code == 201, r.text
    got = lambda q: api.get("/v2/cron_triggers?" + q).json["cron_triggers"]  # noqa: E731
    assert [c["name"] for c in got("workflow_input={}")] == ["c"]
    assert got('workflow_input={"x": 1}') == []
    bad = api.get("/v2/cron_triggers?workflow_params=plain")
    assert bad.status_code == 400 and "'workflow_params'" in bad.fault, bad.text


def test_a_cron_triggers_create_answer_keeps_its_null_count(api: ApiClient) -> None:
    # As Mistral 23: a null count (and first time) are in the answer, updated_at is not.
    api.post("/v2/workflows", ONE_WORKFLOW)
    r = api.post("/v2/cron_triggers", {"name": "c", "workflow_name": "single",
                                       "pattern": "0 3 * * *"})
    assert r.status_code == 201, r.text
    assert r.json["remaining_executions"] is None and r.json["first_execution_time"] is None
    assert "updated_at" not in r.json
