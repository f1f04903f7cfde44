"""A subset of the API on every database backend (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import json
import urllib.parse

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import ASYNC, ONE_WORKFLOW, WORKBOOK, WORKFLOWS
from tests.functional.engine.harness import Harness


def test_definitions_on_every_backend(api_all_db: ApiClient) -> None:
    api = api_all_db
    assert api.post("/v2/workflows", WORKFLOWS).status_code == 201
    assert api.post("/v2/workflows", WORKFLOWS).status_code == 409
    assert api.post("/v2/workbooks", WORKBOOK).status_code == 201
    for i in range(4):
        api.post("/v2/workflows?namespace=paging", ONE_WORKFLOW.replace("single", f"p{i}"))
    seen: list[str] = []
    url: str | None = "/v2/workflows?namespace=paging&limit=3&sort_keys=name"
    while url:
        page = api.get(url).json
        seen += [w["name"] for w in page["workflows"]]
        nxt = page.get("next")
        url = None if not nxt else "/v2/workflows?" + urllib.parse.urlsplit(nxt).query
    assert seen == ["p0", "p1", "p2", "p3"]
    names = [w["name"] for w in api.get("/v2/workflows?tags=has:demo").json["workflows"]]
    assert names == ["greet"]
    big = "x" * 70000
    r = api.post("/v2/environments", {"name": "big", "variables": {"blob": big}})
    assert r.status_code == 201
    assert json.loads(api.get("/v2/environments/big").json["variables"])["blob"] == big
    long_name = "n" * 300
    r = api.post("/v2/environments", {"name": long_name, "variables": {}})
    assert r.status_code == 400 and "name" in r.fault
    assert api.delete("/v2/workbooks/book").status_code == 204


def test_executions_on_every_backend(api_all_db: ApiClient, harness_all_db: Harness) -> None:
    api = api_all_db
    api.post("/v2/workflows", WORKFLOWS + ASYNC.replace("---\nversion: '2.0'\n", ""))
    r = api.post("/v2/executions", {"workflow_name": "greet", "input": {"name": "Pg"},
                                    "id": "11111111-2222-3333-4444-555555555555"})
    assert r.status_code == 201
    again = api.post("/v2/executions", {"workflow_name": "greet", "input": {"name": "Pg"},
                                        "id": "11111111-2222-3333-4444-555555555555"})
    assert again.status_code == 201 and again.json["id"] == r.json["id"]
    waiting = api.post("/v2/executions", {"workflow_name": "waiting"}).json
    harness_all_db.run_until_idle()
    done = api.get(f"/v2/executions/{r.json['id']}").json
    assert done["state"] == "SUCCESS" and json.loads(done["output"]) == {"text": "Hello, Pg"}
    states = {e["workflow_name"]: e["state"]
              for e in api.get("/v2/executions?state=in:SUCCESS,RUNNING").json["executions"]}
    assert states == {"greet": "SUCCESS", "waiting": "RUNNING"}
    assert api.put(f"/v2/executions/{waiting['id']}", {"state": "PAUSED"}).json["state"] \
        == "PAUSED"
    task = api.get(f"/v2/executions/{r.json['id']}/tasks?fields=result").json["tasks"][0]
    assert json.loads(task["result"]) == "Hello, Pg"
    assert api.delete(f"/v2/executions/{waiting['id']}?force=true").status_code == 204
