"""/v1: the 2014 API and DSL, as the 2014 demo used them.

The two workbooks of the demo (``docs/examples/v1``): an ECHO service building a
greeting from the execution's context, and the demo application's REST_API service of
four tasks (here a local HTTP server started by the test, reached with an egress policy
that allows loopback). Both run through ``/v1``: create the workbook, upload its
definition as text, start an execution for a target task, read it and its tasks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mistral.actions.base import ActionSettings
from mistral.actions.registry import ActionRegistry
from mistral.api.app import ApiSettings
from mistral.utils.egress import EgressPolicy
from tests.functional.api.client import ApiClient, build_client
from tests.functional.engine.harness import Harness

RESOURCES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "v1"
CONTEXT = {"person": {"first_name": "John", "last_name": "Doe",
                      "address": {"city": "Gloomington", "country": "USA"}}}


def demo(name: str, base_url: str = "") -> str:
    return (RESOURCES / f"{name}.yaml").read_text().replace("BASE_URL", base_url)


def upload(api: ApiClient, name: str, text: str, **kw: Any) -> None:
    r = api.post("/v1/workbooks", {"name": name, "description": "demo", "tags": ["test"]}, **kw)
    assert r.status_code == 201, r.text
    assert r.json == {"name": name, "description": "demo", "tags": ["test"]}
    r = api.put(f"/v1/workbooks/{name}/definition", text, content_type="text/plain", **kw)
    assert r.status_code == 200, r.text
    assert r.text == text and r.headers["Content-Type"].startswith("text/plain")


def execute(api: ApiClient, harness: Harness, wb: str, task: str, context: Any = None,
            **kw: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body: dict[str, Any] = {"task": task}
    if context is not None:
        body["context"] = json.dumps(context)  # a JSON string, as the 2014 client sent it
    r = api.post(f"/v1/workbooks/{wb}/executions", body, **kw)
    assert r.status_code == 201, r.text
    ex = r.json
    assert ex["workbook_name"] == wb and ex["task"] == task
    harness.run_until_idle()
    got = api.get(f"/v1/workbooks/{wb}/executions/{ex['id']}", **kw)
    assert got.status_code == 200, got.text
    tasks = api.get(f"/v1/workbooks/{wb}/executions/{ex['id']}/tasks", **kw).json["tasks"]
    return got.json, tasks


def test_the_echo_demo(api: ApiClient, harness: Harness) -> None:
    upload(api, "greetings", demo("echo_greeting"))
    assert api.get("/v1/workbooks/greetings/definition").text == demo("echo_greeting")
    ex, tasks = execute(api, harness, "greetings", "build_greeting", CONTEXT)
    assert ex["state"] == "SUCCESS" and json.loads(ex["context"]) == CONTEXT
    assert [(t["name"], t["state"], t["action"]) for t in tasks] == [
        ("build_full_name", "SUCCESS", "MyService:build_full_name"),
        ("build_greeting", "SUCCESS", "MyService:build_greeting"),
    ]
    full, greet = tasks
    assert json.loads(full["parameters"]) == {"first_name": "John", "last_name": "Doe"}
    assert json.loads(full["output"]) == {"task": {"build_full_name": {"full_name": "John Doe"}},
                                          "f_name": "John Doe"}
    assert json.loads(greet["parameters"]) == {"full_name": "John Doe"}  # what f_name published
    assert json.loads(greet["output"]) == {
        "task": {"build_greeting": {"greeting": "Hello, John Doe!"}}}
    assert all(t["execution_id"] == ex["id"] and t["workbook_name"] == "greetings" for t in tasks)
    one = api.get(f"/v1/workbooks/greetings/executions/{ex['id']}/tasks/{greet['id']}").json
    assert one == greet
    # a target with no requirements runs alone
    alone, tasks = execute(api, harness, "greetings", "build_full_name", CONTEXT)
    assert [t["name"] for t in tasks] == ["build_full_name"]
    listed = api.get("/v1/workbooks/greetings/executions").json["executions"]
    assert [e["id"] for e in listed] == [ex["id"], alone["id"]]


class DemoApp:
    """The 2014 demo application's web service: GET /tasks/<name> answers that the task
    was accepted (and remembers the order of the calls)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                app.calls.append(self.path)
                name = self.path.rsplit("/", 1)[-1].split("?")[0]
                status = 500 if name == "broken" else 200
                body = json.dumps({"task": name, "status": "accepted" if status == 200
                                   else "failed"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def demo_app() -> Iterator[DemoApp]:
    app = DemoApp()
    yield app
    app.close()


@pytest.fixture
def loopback(sqlite_database: Any) -> tuple[ApiClient, Harness]:
    # the demo app listens on 127.0.0.1: the actions may reach loopback here
    registry = ActionRegistry.load(settings=ActionSettings(http=EgressPolicy(denied_cidrs=())))
    harness = Harness(sqlite_database, registry=registry)
    return build_client(sqlite_database, engine=harness.engine), harness


def test_the_rest_api_demo(loopback: tuple[ApiClient, Harness], demo_app: DemoApp) -> None:
    api, harness = loopback
    upload(api, "myWorkbook", demo("rest_demo", demo_app.url))
    ex, tasks = execute(api, harness, "myWorkbook", "task4")
    assert ex["state"] == "SUCCESS"
    assert [(t["name"], t["state"], t["action"]) for t in tasks] == [
        ("task1", "SUCCESS", "MyRest:task1"), ("task2", "SUCCESS", "MyRest:task2"),
        ("task3", "SUCCESS", "MyRest:task3"), ("task4", "SUCCESS", "MyRest:task4")]
    # the requirements ran first: task1, then task2 and task3, then task4
    assert demo_app.calls[0] == "/tasks/task1" and demo_app.calls[-1] == "/tasks/task4"
    assert sorted(demo_app.calls[1:3]) == ["/tasks/task2", "/tasks/task3"]
    # a REST_API action's result is the response body
    assert json.loads(tasks[3]["output"]) == {
        "task": {"task4": {"task": "task4", "status": "accepted"}}}
    # the periodic event is a cron trigger of the workbook's workflow, for task4
    triggers = api.get("/v2/cron_triggers").json["cron_triggers"]
    assert [(t["name"], t["pattern"], t["workflow_name"], json.loads(t["workflow_params"]))
            for t in triggers] == [("myWorkbook.task4", "*/1 * * * *", "myWorkbook.Workflow",
                                    {"task_name": "task4"})]


TRANSITIONS = """
Services:
  Web:
    type: REST_API
    parameters: {baseUrl: BASE_URL}
    actions:
      ok: {parameters: {url: /tasks/ok, method: GET}, output: {said: $.status}}
      broken: {parameters: {url: /tasks/broken, method: GET}}
  Echo:
    type: ECHO
    actions:
      note: {output: {text: 'noted {$.who}'}}
Workflow:
  tasks:
    fetch:
      action: Web:ok
      parameters: {id: $.id}
      publish: {said: said}
      on-success:
        - celebrate: $.said = 'accepted'
      on-finish: [log]
    break:
      action: Web:broken
      on-error: [repair]
    celebrate: {action: 'Echo:note', requires: [prepare]}
    prepare: {action: 'Echo:note'}
    repair: {action: 'Echo:note'}
    log: {action: 'Echo:note'}
"""


def test_on_success_on_error_on_finish(loopback: tuple[ApiClient, Harness],
                                       demo_app: DemoApp) -> None:
    api, harness = loopback
    upload(api, "flows", TRANSITIONS.replace("BASE_URL", demo_app.url))
    ex, tasks = execute(api, harness, "flows", "fetch", {"id": 7, "who": "me"})
    states = {t["name"]: t["state"] for t in tasks}
    # celebrate's condition holds: it runs after what it requires (prepare)
    assert states == {"fetch": "SUCCESS", "log": "SUCCESS", "prepare": "SUCCESS",
                      "celebrate": "SUCCESS"}
    assert ex["state"] == "SUCCESS" and "/tasks/ok?id=7" in demo_app.calls
    log = next(t for t in tasks if t["name"] == "log")
    assert json.loads(log["output"])["task"]["log"] == {"text": "noted me"}
    ex, tasks = execute(api, harness, "flows", "break")
    assert {t["name"]: t["state"] for t in tasks} == {"break": "ERROR", "repair": "SUCCESS"}
    assert ex["state"] == "SUCCESS"  # the error was handled by on-error


def test_bad_definitions_are_refused_naming_the_place(api: ApiClient) -> None:
    assert api.post("/v1/workbooks", {"name": "bad"}).status_code == 201
    cases = [
        ("Services:\n  S: {type: SSH, actions: {run: {}}}\nWorkflow:\n  tasks:\n"
         "    t: {action: 'S:run'}\n", "Services.S.type", "SSH"),
        ("Services:\n  E: {type: ECHO, actions: {a: {}}}\nWorkflow:\n  tasks:\n"
         "    t: {action: 'E:a', requires: [ghost]}\n", "Workflow.tasks.t.requires[0]", "ghost"),
        ("Services:\n  E: {type: ECHO, actions: {a: {}}}\nWorkflow:\n  tasks:\n"
         "    t: {action: 'E:b'}\n", "Workflow.tasks.t.action", "no action 'b'"),
        ("Services:\n  E: {type: ECHO, actions: {a: {}}}\nWorkflow:\n  tasks:\n"
         "    t: {action: 'E:a'}\n  events:\n    e: {type: periodic, tasks: t, "
         "parameters: {cron-pattern: 'not a pattern'}}\n", "Workflow.events.e", "cron"),
        ("Workflow: [1]\n", "Workflow", "mapping"),
        ("{{{", "", "YAML"),
    ]
    for text, where, what in cases:
        r = api.put("/v1/workbooks/bad/definition", text, content_type="text/plain")
        assert r.status_code == 400, (text, r.text)
        assert where in r.fault and what in r.fault, (where, r.fault)
    # nothing stored
    assert api.get("/v1/workbooks/bad/definition").text == ""
    assert api.get("/v2/workflows?namespace=v1").json["workflows"] == []
    assert api.get("/v2/cron_triggers").json["cron_triggers"] == []
    r = api.post("/v1/workbooks/bad/executions", {"task": "t"})
    assert r.status_code == 400 and "no definition" in r.fault


def test_bad_requests(api: ApiClient, harness: Harness) -> None:
    upload(api, "greetings", demo("echo_greeting"))
    checks = [
        (api.post("/v1/workbooks", {"name": "greetings"}), 409, "greetings"),
        (api.post("/v1/workbooks", {"description": "x"}), 400, "name"),
        (api.post("/v1/workbooks", {"name": "x", "definition": "y"}), 400, "definition"),
        (api.get("/v1/workbooks/nope"), 404, "nope"),
        (api.put("/v1/workbooks/nope/definition", "x: 1", content_type="text/plain"), 404,
         "nope"),
        (api.post("/v1/workbooks/nope/executions", {"task": "t"}), 404, "nope"),
        (api.post("/v1/workbooks/greetings/executions", {"task": "nope"}), 400, "'task'"),
        (api.post("/v1/workbooks/greetings/executions", {}), 400, "'task'"),
        (api.post("/v1/workbooks/greetings/executions",
                  {"task": "build_greeting", "context": "[1]"}), 400, "context"),
        (api.post("/v1/workbooks/greetings/executions",
                  {"task": "build_greeting", "context": "{oops"}), 400, "context"),
        (api.get("/v1/workbooks/greetings/executions/nope"), 404, "nope"),
        (api.get("/v1/workbooks/greetings/executions/nope/tasks"), 404, "nope"),
    ]
    for reply, status, what in checks:
        assert reply.status_code == status, reply.text
        assert what in reply.fault, reply.fault
    ex, _ = execute(api, harness, "greetings", "build_greeting", CONTEXT)
    r = api.put(f"/v1/workbooks/greetings/executions/{ex['id']}", {"state": "RUNNING"})
    assert r.status_code == 400 and "STOPPED" in r.fault
    # another workbook's execution is not one of this one
    upload(api, "other", demo("echo_greeting"))
    assert api.get(f"/v1/workbooks/other/executions/{ex['id']}").status_code == 404


def test_stop_update_rename_and_delete(api: ApiClient, harness: Harness) -> None:
    upload(api, "greetings", demo("echo_greeting"))
    r = api.post("/v1/workbooks/greetings/executions",
                 {"task": "build_greeting", "context": CONTEXT})  # an object works too
    running = r.json
    assert running["state"] == "RUNNING"
    r = api.delete(f"/v1/workbooks/greetings/executions/{running['id']}")
    assert r.status_code == 400 and "STOPPED" in r.fault
    r = api.delete("/v1/workbooks/greetings")
    assert r.status_code == 400 and "running" in r.fault
    stopped = api.put(f"/v1/workbooks/greetings/executions/{running['id']}",
                      {"state": "STOPPED"}).json
    assert stopped["state"] == "STOPPED"
    assert api.delete(f"/v1/workbooks/greetings/executions/{running['id']}").status_code == 204
    r = api.put("/v1/workbooks/greetings", {"name": "hello", "description": "renamed"})
    assert r.status_code == 200 and r.json["name"] == "hello"
    names = [w["name"] for w in api.get("/v2/workflows?namespace=v1").json["workflows"]]
    assert names == ["hello.Workflow"]
    ex, tasks = execute(api, harness, "hello", "build_greeting", CONTEXT)
    assert ex["state"] == "SUCCESS" and len(tasks) == 2
    assert api.delete("/v1/workbooks/hello").status_code == 204
    assert api.get("/v1/workbooks").json["workbooks"] == []
    assert api.get("/v2/workflows?namespace=v1").json["workflows"] == []
    actions = api.get("/v2/actions?namespace=v1&limit=1000").json["actions"]
    assert not [a["name"] for a in actions if a["name"].startswith(("hello.", "greetings."))]


AUTH = {"X-Identity-Status": "Confirmed", "X-User-Id": "u", "X-Roles": "member"}


def test_v1_rows_are_per_project(sqlite_database: Any, harness: Harness) -> None:
    api = build_client(sqlite_database, engine=harness.engine,
                       settings=ApiSettings(auth_enable=True))
    a, b = {**AUTH, "X-Project-Id": "project-a"}, {**AUTH, "X-Project-Id": "project-b"}
    upload(api, "greetings", demo("echo_greeting"), headers=a)
    ex, _ = execute(api, harness, "greetings", "build_greeting", CONTEXT, headers=a)
    assert api.get("/v1/workbooks", headers=b).json["workbooks"] == []
    assert api.get("/v1/workbooks/greetings", headers=b).status_code == 404
    assert api.post("/v1/workbooks/greetings/executions", {"task": "build_greeting"},
                    headers=b).status_code == 404
    assert api.get(f"/v1/workbooks/greetings/executions/{ex['id']}/tasks",
                   headers=b).status_code == 404
    # b has a workbook of that name of its own
    upload(api, "greetings", demo("echo_greeting"), headers=b)
    assert api.get("/v1/workbooks/greetings/executions", headers=b).json["executions"] == []
    assert len(api.get("/v1/workbooks/greetings/executions", headers=a).json["executions"]) == 1


def test_on_every_backend(api_all_db: ApiClient, harness_all_db: Harness) -> None:
    upload(api_all_db, "greetings", demo("echo_greeting"))
    ex, tasks = execute(api_all_db, harness_all_db, "greetings", "build_greeting", CONTEXT)
    assert ex["state"] == "SUCCESS" and [t["state"] for t in tasks] == ["SUCCESS", "SUCCESS"]
    assert api_all_db.delete("/v1/workbooks/greetings").status_code == 204
