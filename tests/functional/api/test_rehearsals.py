"""/v2/rehearsals: a workflow run by the real engine with mocked action results.

Each test rehearses one construct through the API and checks the path taken, the task
results and the output; none may leave an execution behind or run an action (the
actions are std.http calls to an address nothing listens on, refused by the default
egress policy anyway: a real run would fail them, a mock answers them).
"""

from __future__ import annotations

import json
from typing import Any

from mistral.api.app import ApiSettings
from mistral.engine.rehearsal import Rehearsal
from tests.functional.api.client import ApiClient, build_client
from tests.functional.engine.harness import Harness

CALL = "std.http url=http://127.0.0.1:9/nothing"

FLOW = f"""
version: '2.0'
flow:
  input: [size: 2]
  output: {{vm: <% $.vm %>, disks: <% $.disks %>, note: <% $.get(note) %>}}
  tasks:
    create:
      action: {CALL}
      publish: {{vm: <% task().result.id %>}}
      on-success:
        - attach: <% $.size > 0 %>
        - skip: <% $.size = 0 %>
      on-error: [cleanup]
    attach:
      with-items: i in <% range($.size) %>
      concurrency: 1
      action: {CALL}
      publish: {{disks: <% task().result %>}}
      on-complete: [report]
    skip:
      action: std.noop
      publish: {{disks: []}}
      on-success: [report]
    report:
      action: std.echo output=<% $.disks.len() %>
      publish: {{note: <% task().result %>}}
    cleanup:
      action: {CALL}
      on-complete:
        - fail: <% true %>
"""


def rehearse(api: ApiClient, status: int = 200, **body: Any) -> dict[str, Any]:
    r = api.post("/v2/rehearsals", body)
    assert r.status_code == status, r.text
    return r.json


def task(answer: dict[str, Any], path: str) -> dict[str, Any]:
    found = [t for t in answer["tasks"] if t["path"] == path]
    assert found, (path, answer["path"])
    return found[-1]


def nothing_stored(api: ApiClient) -> None:
    assert api.get("/v2/executions").json["executions"] == []
    assert api.get("/v2/action_executions").json["action_executions"] == []
    assert api.get("/v2/tasks").json["tasks"] == []


def test_path_results_and_output_with_transitions_publish_and_with_items(api: ApiClient) -> None:
    api.post("/v2/workflows", FLOW)
    answer = rehearse(api, workflow_name="flow", input={"size": 3}, mocks={
        "create": {"result": {"id": "vm-1"}},
        "attach": [{"result": "/dev/a"}, {"result": "/dev/b"}, {"result": "/dev/c"}],
    })
    assert answer["state"] == "SUCCESS" and answer["complete"] is True
    assert answer["path"] == ["create", "attach", "report"]
    assert answer["output"] == {"vm": "vm-1", "disks": ["/dev/a", "/dev/b", "/dev/c"],
                                "note": 3}
    attach = task(answer, "attach")
    assert attach["items"] == 3 and attach["runs"] == 3 and attach["mocked"] is True
    assert attach["result"] == ["/dev/a", "/dev/b", "/dev/c"]
    assert task(answer, "report")["result"] == 3  # std.echo: computed from its input
    assert answer["unmocked"] == [] and answer["unused_mocks"] == []
    # the other branch, chosen by the input
    other = rehearse(api, workflow_name="flow", input={"size": 0},
                     mocks={"create": {"result": {"id": "vm-2"}}})
    assert other["path"] == ["create", "skip", "report"] and other["output"]["disks"] == []
    nothing_stored(api)


def test_an_error_takes_the_error_path_and_an_engine_command_ends_it(api: ApiClient) -> None:
    api.post("/v2/workflows", FLOW)
    answer = rehearse(api, workflow_name="flow", mocks={"create": {"error": "quota exceeded"}})
    assert answer["path"] == ["create", "cleanup"]
    assert answer["state"] == "ERROR"
    create = task(answer, "create")
    assert create["state"] == "ERROR" and create["result"] == "quota exceeded"
    # no mock for cleanup: a null result, and the rehearsal says so
    assert answer["unmocked"] == ["cleanup"] and task(answer, "cleanup")["result"] is None
    nothing_stored(api)


def test_a_failing_item_fails_the_with_items_task(api: ApiClient) -> None:
    api.post("/v2/workflows", FLOW)
    answer = rehearse(api, workflow_name="flow", input={"size": 3}, mocks={
        "create": {"result": {"id": "vm"}},
        "attach": [{"result": "/dev/a"}, {"error": "disk busy"}, {"result": "/dev/c"}],
    })
    attach = task(answer, "attach")
    # concurrency 1: the second item fails, the third never starts
    assert attach["state"] == "ERROR" and attach["runs"] == 2
    assert "disk busy" in attach["state_info"]
    assert answer["path"] == ["create", "attach", "report"]  # on-complete still routes
    assert answer["state"] == "ERROR"  # attach's error is not handled


POLICIES = f"""
version: '2.0'
policies:
  tasks:
    flaky:
      action: {CALL}
      retry: {{count: 3, delay: 10, break-on: <% task().result = 'fatal' %>}}
      publish: {{got: <% task().result %>}}
      on-success: [slow]
    slow:
      action: {CALL}
      wait-before: 5
      wait-after: 7
      timeout: 30
      on-error: [late]
    late:
      action: {CALL}
      fail-on: <% task().result.status != 'ok' %>
      keep-result: false
"""


def test_retry_waits_and_timeout_in_virtual_time(api: ApiClient) -> None:
    api.post("/v2/workflows", POLICIES)
    answer = rehearse(api, workflow_name="policies", mocks={
        "flaky": [{"error": "503"}, {"error": "503"}, {"result": "ok"}],
        "slow": {"result": "too late", "delay": 60},
        "late": {"result": {"status": "ok"}},
    })
    flaky = task(answer, "flaky")
    assert flaky["state"] == "SUCCESS" and flaky["retries"] == 2 and flaky["runs"] == 3
    assert flaky["finished_at"] == 20.0 and flaky["published"] == {"got": "ok"}
    slow = task(answer, "slow")
    # waits 5 s before (started_at is when it began waiting), runs from 25 s; the mock
    # answers after 60 s, the 30 s timeout wins at 55 s; then it waits 7 s after
    assert slow["state"] == "ERROR" and "timed out" in slow["state_info"].lower()
    assert slow["started_at"] == 20.0 and slow["finished_at"] == 62.0
    late = task(answer, "late")
    assert late["state"] == "SUCCESS" and late["result"] is None  # keep-result: false
    assert answer["state"] == "SUCCESS" and answer["path"] == ["flaky", "slow", "late"]
    assert answer["elapsed"] >= 62.0

    broken = rehearse(api, workflow_name="policies", mocks={
        "flaky": [{"error": "503"}, {"error": "fatal"}], "late": {"result": {"status": "no"}}})
    assert task(broken, "flaky")["retries"] == 1  # break-on stopped the retries
    assert broken["path"] == ["flaky"] and broken["state"] == "ERROR"


JOINS = """
version: '2.0'
joins:
  tasks:
    start:
      on-success: [left, right, third]
    left:
      action: std.echo output=L
      on-success: [all]
    right:
      action: std.echo output=R
      on-success: [all, any]
    third:
      action: std.fail
      on-error: [any]
    all:
      join: all
      action: std.echo output=<% $ %>
    any:
      join: 1
      action: std.noop
"""


def test_joins(api: ApiClient) -> None:
    api.post("/v2/workflows", JOINS)
    answer = rehearse(api, workflow_name="joins", mocks={"left": {"result": "L", "delay": 4}})
    states = {t["path"]: t["state"] for t in answer["tasks"]}
    assert states == {"start": "SUCCESS", "left": "SUCCESS", "right": "SUCCESS",
                      "third": "ERROR", "all": "SUCCESS", "any": "SUCCESS"}
    # 'all' waited for left's delayed answer; 'any' ran once, on the first arrival
    assert answer["path"].index("all") > answer["path"].index("left")
    assert task(answer, "all")["started_at"] == 4.0
    assert [t["path"] for t in answer["tasks"]].count("any") == 1
    assert answer["state"] == "SUCCESS"


SUBFLOWS = f"""
version: '2.0'
parent:
  output: {{sums: <% $.sums %>, one: <% $.one %>}}
  tasks:
    one:
      workflow: child
      input: {{n: 1}}
      publish: {{one: <% task().result.total %>}}
      on-success: [many]
    many:
      with-items: n in <% [2, 3] %>
      workflow: child
      input: {{n: <% $.n %>}}
      publish: {{sums: <% task().result.select($.total) %>}}
child:
  input: [n]
  output: {{total: <% $.total %>}}
  tasks:
    add:
      action: {CALL}
      publish: {{total: <% task().result + $.n %>}}
"""


def test_subworkflows_and_with_items_subworkflows(api: ApiClient) -> None:
    api.post("/v2/workflows", SUBFLOWS)
    answer = rehearse(api, workflow_name="parent", mocks={"one/add": {"result": 10},
                                                           "many/add": [{"result": 100},
                                                                        {"result": 200}]})
    assert answer["state"] == "SUCCESS"
    assert answer["output"] == {"one": 11, "sums": [102, 203]}
    assert answer["path"][:2] == ["one/add", "one"]
    assert sorted(answer["path"][2:4]) == ["many[0]/add", "many[1]/add"]
    assert answer["path"][4] == "many"
    assert task(answer, "many")["runs"] == 2 and task(answer, "one")["type"] == "WORKFLOW"


REVERSE = f"""
version: '2.0'
build:
  type: reverse
  tasks:
    fetch:
      action: {CALL}
      publish: {{src: <% task().result %>}}
    compile:
      requires: [fetch]
      action: std.echo
      input: {{output: '<% $.src %>.o'}}
    test:
      requires: [compile]
      action: {CALL}
    docs:
      requires: [fetch]
      action: {CALL}
"""


def test_reverse_workflow_runs_what_the_target_requires(api: ApiClient) -> None:
    api.post("/v2/workflows", REVERSE)
    answer = rehearse(api, workflow_name="build", params={"task_name": "compile"},
                      mocks={"fetch": {"result": "main.c"}, "docs": {"result": "html"}})
    assert answer["path"] == ["fetch", "compile"]
    assert task(answer, "compile")["result"] == "main.c.o"
    assert answer["unused_mocks"] == ["docs"]  # exists, not on the path to 'compile'
    r = api.post("/v2/rehearsals", {"workflow_name": "build"})
    assert r.status_code == 400 and "task_name" in r.fault  # as a real start


ADHOC = """
version: '2.0'
lookup:
  base: std.http
  base-input: {url: 'http://127.0.0.1:9/<% $.key %>'}
  input: [key]
  output: <% $.content.value %>
"""


def test_adhoc_action_output_applies_to_the_mocked_base_result(api: ApiClient) -> None:
    api.post("/v2/actions", ADHOC)
    api.post("/v2/workflows", """
version: '2.0'
use:
  tasks:
    get:
      action: lookup key=color
      publish: {color: <% task().result %>}
""")
    answer = rehearse(api, workflow_name="use", mocks={"get": {"result": {"content": {
        "value": "blue"}, "status": 200}}})
    assert task(answer, "get")["result"] == "blue"
    assert task(answer, "get")["published"] == {"color": "blue"}
    # the action's own input is still checked, as for a real run
    api.post("/v2/workflows", """
version: '2.0'
bad:
  tasks:
    get:
      action: lookup nokey=1
""")
    bad = rehearse(api, workflow_name="bad")
    assert bad["state"] == "ERROR" and "nokey" in task(bad, "get")["state_info"]


def test_pause_before_ends_the_rehearsal_paused(api: ApiClient) -> None:
    api.post("/v2/workflows", """
version: '2.0'
held:
  tasks:
    first:
      action: std.noop
      on-success: [second]
    second:
      pause-before: true
      action: std.noop
""")
    answer = rehearse(api, workflow_name="held")
    assert answer["state"] == "PAUSED" and answer["path"] == ["first"]
    assert task(answer, "second")["state"] == "IDLE"


def test_rehearsal_matches_the_real_run(api: ApiClient, harness: Harness) -> None:
    # Only pure std actions (computed, never run, in the rehearsal; really run by the
    # harness's executor): both must take the same path to the same results.
    api.post("/v2/workflows", JOINS)
    api.post("/v2/workflows", """
version: '2.0'
pure:
  tasks:
    a:
      with-items: x in <% [1, 2, 3] %>
      action: std.echo output=<% $.x * 2 %>
      publish: {xs: <% task().result %>}
      on-success: [b]
    b:
      action: std.fail error_data=<% $.xs.sum() %>
      on-error: [c]
    c:
      workflow: joins
""")
    answer = rehearse(api, workflow_name="pure")
    real = api.post("/v2/executions", {"workflow_name": "pure"}).json
    harness.run_until_idle()
    tasks = {t["name"]: t for t in harness.tasks(real["id"])}
    for name in ("a", "b", "c"):
        mine = task(answer, name)
        assert mine["state"] == tasks[name]["state"], name
        assert mine["published"] == tasks[name]["published"], name
    assert task(answer, "b")["result"] == 12
    assert answer["state"] == api.get(f"/v2/executions/{real['id']}").json["state"]


def test_bad_mocks_are_refused_naming_them(api: ApiClient) -> None:
    api.post("/v2/workflows", SUBFLOWS)
    cases = [
        ({"nope": {"result": 1}}, "mocks.nope", "has no task 'nope'"),
        ({"one": {"result": 1}}, "mocks.one", "runs workflow 'child'"),
        ({"one/nope": {"result": 1}}, "mocks.one/nope", "workflow 'child' has no task"),
        ({"one/add/x": {"result": 1}}, "mocks.one/add/x", "runs no subworkflow"),
        ({"one/add": {"value": 1}}, "mocks.one/add", "unknown key(s) value"),
        ({"one/add": {"result": 1, "error": 2}}, "mocks.one/add", "exactly one"),
        ({"one/add": [{"result": 1}, 3]}, "mocks.one/add[1]", "must be an object"),
        ({"one/add": {"result": 1, "delay": -1}}, "mocks.one/add.delay", "number of seconds"),
        ({"one/add": []}, "mocks.one/add", "empty list"),
    ]
    for mocks, where, what in cases:
        r = api.post("/v2/rehearsals", {"workflow_name": "parent", "mocks": mocks})
        assert r.status_code == 400, (mocks, r.text)
        assert where in r.fault and what in r.fault, (mocks, r.fault)
    two = api.post("/v2/rehearsals", {"workflow_name": "parent", "mocks": {
        "x": {"result": 1}, "many/y": {"result": 2}}})
    assert two.status_code == 400 and "mocks.x" in two.fault and "mocks.many/y" in two.fault
    assert api.post("/v2/rehearsals", {"workflow_name": "parent",
                                       "mocks": "[1]"}).status_code == 400
    nothing_stored(api)


def test_bad_requests(api: ApiClient) -> None:
    api.post("/v2/workflows", SUBFLOWS)
    r = api.post("/v2/rehearsals", {"workflow_name": "nope"})
    assert r.status_code == 404 and "nope" in r.fault
    r = api.post("/v2/rehearsals", {"workflow_name": "child", "input": {"m": 1}})
    assert r.status_code == 400 and "unexpected: m" in r.fault  # as a real start
    r = api.post("/v2/rehearsals", {"workflow_name": "parent", "state": "SUCCESS"})
    assert r.status_code == 400 and "state" in r.fault and "answer" in r.fault
    r = api.post("/v2/rehearsals", {"workflow_name": "parent", "bogus": 1})
    assert r.status_code == 400 and "bogus" in r.fault
    r = api.post("/v2/rehearsals", {"input": {}})
    assert r.status_code == 400 and "workflow_name" in r.fault
    r = api.post("/v2/rehearsals", {"workflow_name": "parent", "params": {"env": "missing"}})
    assert r.status_code == 400 and "missing" in r.fault  # as POST /v2/executions (Mistral 23)
    nothing_stored(api)


def test_a_rehearsal_that_does_not_end_stops_at_its_bound(sqlite_database: Any,
                                                          harness: Harness) -> None:
    from tests.functional.api.client import system_actions
    from mistral.api.app import ApiServices, make_app

    api = ApiClient(make_app(ApiServices(
        db=sqlite_database, engine=harness.engine, list_system_actions=system_actions,
        rehearsal=Rehearsal(sqlite_database, max_steps=30))))
    api.post("/v2/workflows", """
version: '2.0'
forever:
  tasks:
    begin:
      action: std.noop
      on-success: [ping]
    ping:
      action: std.noop
      on-success: [pong]
    pong:
      action: std.noop
      on-success: [ping]
""")
    answer = rehearse(api, workflow_name="forever")
    assert answer["complete"] is False and answer["state"] == "RUNNING"
    assert "stopped after 30 steps" in answer["state_info"]
    assert len(answer["path"]) >= 20


AUTH = {"X-Identity-Status": "Confirmed", "X-User-Id": "u", "X-Roles": "member"}


def test_a_project_rehearses_only_what_it_sees(sqlite_database: Any) -> None:
    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    a, b = {**AUTH, "X-Project-Id": "project-a"}, {**AUTH, "X-Project-Id": "project-b"}
    assert api.post("/v2/workflows", SUBFLOWS, headers=a).status_code == 201
    assert api.post("/v2/rehearsals", {"workflow_name": "parent"},
                    headers=b).status_code == 404
    # b's own 'child' is not the one a's parent runs: names resolve as the caller
    api.post("/v2/workflows", SUBFLOWS.replace("{total: <% $.total %>}", "{total: 0}"),
             headers=b)
    r = api.post("/v2/rehearsals", {"workflow_name": "parent",
                                    "mocks": {"one/add": {"result": 1}}}, headers=a)
    assert r.status_code == 200 and r.json["output"]["one"] == 2
    r = api.post("/v2/rehearsals", {"workflow_name": "parent",
                                    "mocks": {"one/add": {"result": 1}}}, headers=b)
    assert r.status_code == 200 and r.json["output"]["one"] == 0


def test_on_every_backend(api_all_db: ApiClient) -> None:
    # definitions are read from the real database (here each backend); mocks as text
    api_all_db.post("/v2/workflows", SUBFLOWS)
    mocks = {"one/add": {"result": 5}, "many/add": {"result": 1}}
    r = api_all_db.post("/v2/rehearsals", {"workflow_name": "parent",
                                           "mocks": json.dumps(mocks)})
    assert r.status_code == 200, r.text
    assert r.json["output"] == {"one": 6, "sums": [3, 4]}
    assert api_all_db.get("/v2/executions").json["executions"] == []


MORE = f"""
version: '2.0'
more:
  timeout: 100
  vars: {{limit: 3}}
  output: {{done: <% $.done %>}}
  output-on-error: {{why: <% $.get(why) %>}}
  task-defaults:
    retry: {{count: 3, delay: 10, backoff: exponential, max-delay: 25}}
  tasks:
    first:
      action: {CALL}
      publish-on-error: {{why: <% task().result %>}}
      on-success:
        next: [second]
        publish: {{branch: {{b: 1}}, global: {{g: <% $.limit %>}}}}
    second:
      action: {CALL}
      publish: {{done: <% $.g + $.b %>}}
      on-success:
        - succeed: <% $.done > 3 %>
        - third: <% $.done <= 3 %>
    third:
      action: {CALL}
      retry: {{count: 10, delay: 20}}
"""


def test_timeouts_backoff_defaults_and_advanced_publish(api: ApiClient) -> None:
    api.post("/v2/workflows", MORE)
    # first fails three times: retried after 10, 20, then 25 s (exponential, capped)
    answer = rehearse(api, workflow_name="more", mocks={
        "first": [{"error": "e1"}, {"error": "e2"}, {"error": "e3"}, {"result": 1}],
        "second": {"result": "ok"}})
    first = task(answer, "first")
    assert first["retries"] == 3 and first["finished_at"] == 55.0
    assert answer["state"] == "SUCCESS" and answer["output"] == {"done": 4}
    assert answer["path"] == ["first", "second"]  # succeed: the workflow ends there
    # the workflow's own timeout (100 s, virtual) ends a rehearsal that takes longer
    slow = rehearse(api, workflow_name="more", mocks={
        "first": {"result": 1}, "second": {"result": "ok", "delay": 200}})
    assert slow["state"] == "ERROR" and slow["elapsed"] == 100.0
    assert "timed out after 100 seconds" in slow["state_info"]
    # every run fails: the error published on error is the output on error
    failed = rehearse(api, workflow_name="more", mocks={"first": {"error": "denied"}})
    assert failed["state"] == "ERROR" and failed["output"]["why"] == "denied"
    assert task(failed, "first")["runs"] == 4


def test_rehearsing_a_2014_workbook(api: ApiClient) -> None:
    # a v1 workbook is rehearsed like any workflow: its converted one, in namespace v1
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "examples" / "v1"
            / "rest_demo.yaml").read_text().replace("BASE_URL", "http://127.0.0.1:9")
    assert api.post("/v1/workbooks", {"name": "demo"}).status_code == 201
    assert api.put("/v1/workbooks/demo/definition", text,
                   content_type="text/plain").status_code == 200
    answer = rehearse(api, workflow_name="demo.Workflow", workflow_namespace="v1",
                      params={"task_name": "task4"},
                      mocks={f"task{i}": {"result": {"content": f"t{i}"}} for i in (1, 2, 3, 4)})
    assert answer["state"] == "SUCCESS"
    assert answer["path"][0] == "task1" and answer["path"][-1] == "task4"
    assert task(answer, "task4")["result"] == "t4"  # the ad-hoc action's output: the body
    assert api.get("/v1/workbooks/demo/executions").json["executions"] == []
