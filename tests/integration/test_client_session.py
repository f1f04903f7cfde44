"""Our ``mistralclient`` against real servers (separate processes: HTTP, pecan, engine,
executor, database). A core session of the ``mistral`` CLI runs step for step the same
against our server and against the real Mistral 23: workbooks, workflows, actions,
executions, tasks, action executions, cron triggers, environments, members, code sources,
dynamic actions, and the errors a user meets. The library session and the live views
(``--wait``, ``execution-watch``) run against ours (one server for the module)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mistralclient.api.base import APIException
from mistralclient.api.client import client

from tests.functional.client.runner import Cli

# The servers (``ours``, ``mistral23``) are session fixtures of tests/integration/conftest.py,
# shared with the differential test in this xdist group: one of each per run.
pytestmark = pytest.mark.xdist_group("client_session")

WORKBOOK = """---
version: '2.0'
name: s_book
actions:
  s_twice:
    base: std.echo
    base-input:
      output: <% $.v * 2 %>
    input: [v]
workflows:
  s_uses_twice:
    tasks:
      t:
        action: s_book.s_twice v=21
        publish:
          r: <% task().result %>
    output:
      r: <% $.r %>
"""

WORKFLOW = """---
version: '2.0'
s_greet:
  input:
    - name
    - punctuation: '!'
  output:
    greeting: <% $.greeting %>
  tasks:
    each:
      with-items: n in <% [1, 2, 3] %>
      action: std.echo output=<% $.n %>
      on-success: [say]
    say:
      action: std.echo output="Hello, <% $.name %><% $.punctuation %>"
      publish:
        greeting: <% task().result %>
s_fails:
  tasks:
    boom:
      action: std.fail
"""

ACTION = """---
version: '2.0'
s_shout:
  input: [text]
  base: std.echo
  base-input:
    output: <% $.text %>!
"""


CODE = """class Hello:
    \"\"\"A dynamic action: run(context) and is_sync() are all it needs.\"\"\"

    def __init__(self, name="x"):
        self.name = name

    def run(self, context):
        return "hello " + self.name

    def is_sync(self):
        return True
"""


# The same steps against both (two fixtures, not one parametrized one, so that each
# server starts once whatever order the tests run in).
BOTH = pytest.mark.parametrize("target", ["ours", "mistral23"])


def _definitions(cli: Cli) -> None:
    wb = cli.json("workbook-create", cli.file("wb.yaml", WORKBOOK))
    assert wb["Name"] == "s_book" and wb["Scope"] == "private"
    assert "s_book" in [w["Name"] for w in cli.json("workbook-list")]
    assert cli.json("workbook-get", "s_book")["Name"] == "s_book"
    assert "s_twice" in cli.run("workbook-get-definition", "s_book").out
    assert cli.json("workbook-validate", cli.file("wb.yaml", WORKBOOK))["Valid"] is True
    assert cli.json("workbook-update", cli.file("wb.yaml", WORKBOOK))["Name"] == "s_book"

    created = cli.json("workflow-create", cli.file("wf.yaml", WORKFLOW))
    assert sorted(w["Name"] for w in created) == ["s_fails", "s_greet"]
    assert {"s_greet", "s_fails", "s_book.s_uses_twice"} <= {w["Name"] for w in cli.json("workflow-list")}
    greet = cli.json("workflow-get", "s_greet")
    assert greet["Input"] == 'name, punctuation="!"'
    assert "with-items" in cli.run("workflow-get-definition", "s_greet").out
    bad = cli.json("workflow-validate", cli.file("bad.yaml", WORKFLOW.replace("on-success: [say]",
                                                                              "on-success: [nowhere]")))
    assert bad["Valid"] is False and "nowhere" in bad["Error"]
    one = WORKFLOW.split("s_fails:")[0]
    updated = cli.json("workflow-update", cli.file("one.yaml", one), "--id", greet["ID"])
    assert updated[0]["ID"] == greet["ID"]

    (act,) = cli.json("action-create", cli.file("a.yaml", ACTION))
    assert act["Name"] == "s_shout" and act["Is system"] is False
    assert [a["Name"] for a in cli.json("action-list", "--filter", "name=s_shout")] == ["s_shout"]
    assert cli.json("action-get", "s_shout")["Input"] == "text"
    assert "base: std.echo" in cli.run("action-get-definition", "s_shout").out
    assert cli.json("action-validate", cli.file("a.yaml", ACTION))["Valid"] is True
    assert cli.json("action-update", cli.file("a.yaml", ACTION))[0]["Name"] == "s_shout"


def _environments(cli: Cli) -> None:
    env = cli.json("environment-create", cli.file("env.json", json.dumps(
        {"name": "s_env", "description": "d", "variables": {"punct": "?", "n": 2}})))
    assert env["Variables"] == {"punct": "?", "n": 2}  # JSON, not a JSON string
    assert "s_env" in [e["Name"] for e in cli.json("environment-list")]
    cli.run("environment-update", cli.file("env2.json", json.dumps(
        {"name": "s_env", "variables": {"punct": "?!"}})))
    exported = cli.json("environment-get", "s_env", "--export")
    assert exported == {"name": "s_env", "description": "d", "scope": "private",
                        "variables": {"punct": "?!"}}


def _executions(cli: Cli) -> None:
    first = cli.run("execution-create", "s_greet", '{"name": "Ada"}', "--wait", "-f", "json").json
    assert first["State"] == "SUCCESS" and first["Output"] == {"greeting": "Hello, Ada!"}
    failed = cli.run("execution-create", "s_fails", "--wait", "-f", "json", ok=False)
    assert failed.code == 1 and failed.json["State"] == "ERROR"
    second = cli.json("execution-create", "s_book.s_uses_twice", "-d", "second")
    assert second["Description"] == "second" and second["Root Execution ID"] is None

    # Both servers show created_at to the second (Mistral 23 also stores it so, and orders
    # one second's rows by id), so the list is checked by its timestamps: oldest first, and
    # this test's three executions in the order they were made. Others in the list (made
    # before by other tests on this server, or the children of `second`) may be older or
    # newer than them.
    rows = cli.json("execution-list")
    created = {e["ID"]: e["Created at"] for e in rows}
    assert list(created.values()) == sorted(created.values())
    assert created[first["ID"]] <= created[failed.json["ID"]] <= created[second["ID"]]
    oldest = cli.json("execution-list", "--oldest", "--limit", "1")
    # (the plain list may be one page of a longer one: the oldest is at most its minimum)
    assert len(oldest) == 1 and oldest[0]["Created at"] <= min(created.values())
    assert first["ID"] in [e["ID"] for e in cli.json("execution-list", "--rootsonly")]
    assert json.loads(cli.run("execution-get-input", first["ID"]).out) == {"name": "Ada", "punctuation": "!"}
    assert json.loads(cli.run("execution-get-output", first["ID"]).out) == {"greeting": "Hello, Ada!"}
    cli.run("execution-get-published", first["ID"])
    report = cli.run("execution-get-report", first["ID"], "--no-errors-only").out
    assert "task 'say' [SUCCESS]" in report and "workflow 's_greet' [SUCCESS]" in report
    assert [e["ID"] for e in cli.json("execution-get-sub-executions", first["ID"])] == [first["ID"]]
    assert cli.json("execution-update", second["ID"], "-d", "renamed")["Description"] == "renamed"

    tasks = {t["Name"]: t for t in cli.json("task-list", first["ID"])}
    assert set(tasks) == {"each", "say"} and tasks["say"]["State"] == "SUCCESS"
    say = tasks["say"]["ID"]
    assert cli.json("task-get", say)["Workflow name"] == "s_greet"
    assert json.loads(cli.run("task-get-result", say).out) == "Hello, Ada!"
    assert json.loads(cli.run("task-get-published", say).out) == {"greeting": "Hello, Ada!"}
    assert cli.json("task-get-sub-executions", say) == [{k: "" for k in cli.json("execution-get-sub-executions",
                                                                                  first["ID"])[0]}]
    items = cli.json("action-execution-list", tasks["each"]["ID"])
    assert sorted(json.loads(cli.run("action-execution-get-output", a["ID"]).out)["result"]
                  for a in items) == [1, 2, 3]
    assert cli.json("action-execution-get", items[0]["ID"])["Task ID"] == tasks["each"]["ID"]

    assert json.loads(cli.run("run-action", "std.echo", '{"output": "ping"}').out) == {"result": "ping"}
    saved = cli.json("run-action", "s_shout", '{"text": "hey"}', "--save-result")
    assert saved["Name"] == "s_shout"
    cli.run("execution-delete", second["ID"])


def _triggers_and_members(cli: Cli, wf_id: str) -> None:
    ct = cli.json("cron-trigger-create", "s_nightly", "s_greet", '{"name": "cron"}', "--pattern", "0 2 * * *",
                  "--first-time", "2099-01-01 02:00", "--utc", "--count", "3")
    assert ct["Workflow"] == "s_greet" and ct["Next execution time"].startswith("2099-01-01 02:00")
    assert ct["Remaining executions"] == 3
    assert cli.json("cron-trigger-get", "s_nightly")["Pattern"] == "0 2 * * *"
    assert "s_nightly" in [c["Name"] for c in cli.json("cron-trigger-list")]
    cli.run("cron-trigger-delete", "s_nightly")
    # Without authentication both servers refuse resource sharing, in one line.
    refused = cli.run("member-list", wf_id, "workflow", ok=False)
    assert refused.code != 0 and len(refused.err.strip().splitlines()) == 1
    assert "authentication" in refused.err.lower()


def _errors(cli: Cli, workdir: Path) -> None:
    missing = cli.run("workflow-get", "s_no_such_flow", ok=False)
    assert missing.code != 0 and missing.out == ""
    assert "s_no_such_flow" in missing.err and len(missing.err.strip().splitlines()) == 1
    assert "Traceback" not in missing.err
    nofile = cli.run("workflow-create", str(workdir / "nofile.yaml"), ok=False)
    assert nofile.code != 0 and "nofile.yaml" in nofile.err and "can't open" in nofile.err
    down = cli.run("workflow-list", ok=False, url="http://127.0.0.1:9/v2")
    assert down.code != 0 and down.err.strip().splitlines() == [
        "ERROR: cannot reach the Mistral API at http://127.0.0.1:9 (is it running? check --os-mistral-url)"]


def _cleanup(cli: Cli) -> None:
    for args in (("workflow-delete", "s_greet", "s_fails"), ("action-delete", "s_shout"),
                 ("environment-delete", "s_env"), ("workbook-delete", "s_book")):
        cli.run(*args)
    assert "s_book" not in [w["Name"] for w in cli.json("workbook-list")]


@BOTH
def test_core_session(target: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    cli = request.getfixturevalue(target)
    _definitions(cli)
    _environments(cli)
    _executions(cli)
    _triggers_and_members(cli, cli.json("workflow-get", "s_greet")["ID"])
    _errors(cli, tmp_path)
    _cleanup(cli)
    assert cli.steps >= 30


@BOTH
def test_code_sources_and_dynamic_actions(target: str, request: pytest.FixtureRequest) -> None:
    cli = request.getfixturevalue(target)
    if cli.run("code-source-list", ok=False).code != 0:
        pytest.skip("this server has no /v2/code_sources")
    src = cli.json("code-source-create", "s_mod", cli.file("s_mod.py", CODE))
    assert src["Name"] == "s_mod" and src["Scope"] == "private"
    assert "s_mod" in [c["Name"] for c in cli.json("code-source-list")]
    assert cli.json("code-source-get", "s_mod")["ID"] == src["ID"]
    assert cli.run("code-source-get-content", "s_mod").out == CODE
    assert cli.json("code-source-update", "s_mod", cli.file("s_mod.py", CODE))["ID"] == src["ID"]
    act = cli.json("dynamic-action-create", "s_hello", "Hello", "s_mod")
    assert (act["Class"], act["Code source name"], act["Code source ID"]) == ("Hello", "s_mod", src["ID"])
    assert [a["Name"] for a in cli.json("dynamic-action-list")] == ["s_hello"]
    assert cli.json("dynamic-action-get", "s_hello")["ID"] == act["ID"]
    assert cli.json("dynamic-action-update", "s_hello", "--class-name", "Hello")["Class"] == "Hello"
    assert json.loads(cli.run("run-action", "s_hello", '{"name": "you"}').out) == {"result": "hello you"}
    cli.run("dynamic-action-delete", "s_hello")
    cli.run("code-source-delete", "s_mod")
    assert cli.json("code-source-list") == [{k: "" for k in src if k in
                                             ("ID", "Name", "Namespace", "Project ID", "Scope",
                                              "Created at", "Updated at")}]


WF = """---
version: '2.0'
greet:
  input:
    - name
    - punctuation: '!'
  output:
    greeting: <% $.greeting %>
  tasks:
    say:
      action: std.echo output="Hello, <% $.name %><% $.punctuation %>"
      publish:
        greeting: <% task().result %>
      on-success: [shout]
    shout:
      action: std.echo output=<% $.greeting.toUpper() %>
"""

WB = """---
version: '2.0'
name: cli_book
actions:
  twice:
    base: std.echo
    base-input:
      output: <% $.v * 2 %>
    input: [v]
workflows:
  uses_twice:
    tasks:
      t:
        action: twice v=21
        publish:
          r: <% task().result %>
    output:
      r: <% $.r %>
"""



def _finished(c, ex_id: str) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ex = c.executions.get(ex_id)
        if ex.state in ("SUCCESS", "ERROR", "CANCELLED"):
            return ex
        time.sleep(0.1)
    raise AssertionError("execution did not finish: %s" % ex_id)


def test_library_session(ours: Cli, tmp_path: Path) -> None:
    url = ours.url
    c = client(mistral_url=url)
    wfs = c.workflows.create(WF)
    assert [w.name for w in wfs] == ["greet"]
    assert "name" in wfs[0].input
    assert "greet" in [w.name for w in c.workflows.list()]

    ex = c.executions.create("greet", workflow_input={"name": "Ada"})
    ex = _finished(c, ex.id)
    assert ex.state == "SUCCESS"
    assert json.loads(ex.output) == {"greeting": "Hello, Ada!"}

    tasks = c.tasks.list(ex.id)
    assert sorted(t.name for t in tasks) == ["say", "shout"]
    shout = next(t for t in tasks if t.name == "shout")
    assert json.loads(c.tasks.get(shout.id).result) == "HELLO, ADA!"

    wb = c.workbooks.create(WB)
    assert wb.name == "cli_book"
    ex2 = _finished(c, c.executions.create("cli_book.uses_twice").id)
    assert json.loads(ex2.output) == {"r": 42}

    env = c.environments.create(name="client_env", variables={"k": "v"}, description="d")
    assert env.name == "client_env"
    assert c.environments.get("client_env").variables == {"k": "v"}

    with pytest.raises(APIException) as e:
        c.executions.create("no_such_workflow")
    assert e.value.error_code == 404
    assert "no_such_workflow" in e.value.error_message

    c.workflows.delete("greet")
    with pytest.raises(APIException) as e:
        c.workflows.get("greet")
    assert e.value.error_code == 404


ITEMS = """---
version: '2.0'
fan_out:
  tasks:
    each:
      with-items: n in <% range(4) %>
      action: std.echo output=<% $.n %>
      publish:
        got: <% task().result %>
  output:
    got: <% $.got %>
broken:
  tasks:
    boom:
      action: std.fail
"""


def test_wait_and_watch_an_execution(ours: Cli, tmp_path: Path) -> None:
    cli = ours
    cli.run("workflow-create", cli.file("items.yaml", ITEMS))
    done = cli.run("execution-create", "fan_out", "--wait", "-f", "json")
    assert done.json["State"] == "SUCCESS" and done.json["Output"] == {"got": [0, 1, 2, 3]}
    failed = cli.run("execution-create", "broken", "--wait", "-f", "value", "-c", "State", ok=False)
    assert (failed.code, failed.out.strip()) == (1, "ERROR")

    watched = cli.run("execution-watch", done.json["ID"])
    lines = watched.out.splitlines()
    assert lines[0] == "workflow fan_out [SUCCESS] %s" % done.json["ID"]
    assert lines[1].startswith("task each [SUCCESS]") and lines[1].endswith(" 4/4 items")
    assert "\033" not in watched.out  # no colour, no cursor moves when not on a terminal
    assert cli.run("execution-watch", failed_id(cli), ok=False).code == 1


def failed_id(cli: Cli) -> str:
    return next(e["ID"] for e in cli.json("execution-list", "--filter", "workflow_name=broken"))


def test_watch_on_a_terminal_is_in_colour(ours: Cli, tmp_path: Path) -> None:
    cli, url = ours, ours.url
    import os
    import pty

    cli.run("workflow-create", cli.file("items2.yaml", ITEMS.replace("fan_out:", "fan_tty:").replace(
        "broken:", "broken_tty:")))
    ex_id = cli.run("execution-create", "fan_tty", "-f", "value", "-c", "ID").out.strip()
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mistral"), "--os-mistral-url", url,
                             "execution-watch", ex_id], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    screen = b"".join(chunks).decode()
    assert "\033[32mSUCCESS" in screen  # the state in green
    assert "4/4 items" in screen


DEPLOY = """---
version: '2.0'
r_deploy:
  input: [name]
  output: {vm: <% $.vm %>, checks: <% $.checks %>}
  tasks:
    create:
      action: std.http url=http://127.0.0.1:9/servers method=POST
      publish: {vm: <% task().result.id %>}
      on-success: [check]
    check:
      action: std.http url=http://127.0.0.1:9/health
      retry: {count: 5, delay: 10, continue-on: <% task().result != 'up' %>}
      publish: {checks: <% task().result %>}
"""


def test_rehearse_with_the_cli_and_the_library(ours: Cli, tmp_path: Path) -> None:
    # the server's own wiring (mistral-server: the rehearsal in the API process with the
    # loaded action registry); the std.http actions would fail if they ran
    cli = ours
    cli.run("workflow-create", cli.file("deploy.yaml", DEPLOY))
    answer = cli.run("execution-create", "r_deploy", '{"name": "web"}', "--mock", 'create={"id": "vm-7"}',
                     "--mock", "check=starting", "--mock", "check=up", "-f", "json").json
    assert answer["State"] == "SUCCESS" and answer["Complete"] is True
    assert answer["Path"] == "create\ncheck" and answer["Output"] == {"vm": "vm-7", "checks": "up"}
    assert answer["Elapsed"] == 10.0 and not answer["Unmocked"]
    check = next(t for t in answer["Tasks"] if t["path"] == "check")
    assert check["retries"] == 1 and check["runs"] == 2
    mocks = cli.file("mocks.yaml", "create: {error: 'no capacity'}\n")
    failed = cli.run("execution-create", "r_deploy", '{"name": "web"}', "--rehearse", "--mock", mocks,
                     "-f", "value", "-c", "State", ok=False)
    assert (failed.code, failed.out.strip()) == (1, "ERROR")
    bad = cli.run("execution-create", "r_deploy", '{"name": "web"}', "--mock", "nope=1", ok=False)
    assert bad.code == 1 and "mocks.nope" in bad.err
    assert [e for e in cli.json("execution-list", "--filter", "workflow_name=r_deploy") if e["ID"]] == []

    c = client(mistral_url=cli.url)
    got = c.executions.rehearse("r_deploy", workflow_input={"name": "web"},
                                mocks={"create": {"result": {"id": "vm-8"}}, "check": {"result": "up"}})
    assert got["path"] == ["create", "check"] and got["output"]["vm"] == "vm-8"
    with pytest.raises(APIException) as e:
        c.executions.rehearse("r_deploy", mocks={"create": {"result": 1}})
    assert e.value.error_code == 400 and "name" in e.value.error_message
