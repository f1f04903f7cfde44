"""The real python-mistralclient 6.x drives executions, tasks and action executions on a
real ``mistral-server --server all`` (engine, local executor, scheduler in one process)."""

from __future__ import annotations

import json

import pytest

from tests.compat.harness import Cli, wait_for

# One worker runs the whole session against one server process.
pytestmark = pytest.mark.xdist_group("compat")

FLOWS = """---
version: '2.0'

greeting:
  input:
    - name
    - greeting: Hello
  output:
    message: <% $.message %>
  tasks:
    greet:
      action: std.echo output="<% $.greeting %>, <% $.name %>"
      publish:
        message: <% task().result %>

approval:
  tasks:
    ask:
      action: std.async_noop
      publish:
        decision: <% task().result %>
  output:
    decision: <% $.decision %>

breaks:
  tasks:
    boom:
      action: std.fail
"""


def renamed(suffix: str) -> str:
    """FLOWS with every workflow name suffixed (names are the unindented keys)."""
    return "\n".join(
        line[:-1] + suffix + ":" if line.endswith(":") and not line.startswith(" ") else line
        for line in FLOWS.splitlines()
    )


def _state(cli: Cli, ex_id: str, wanted: str) -> dict:
    return wait_for(lambda: (lambda ex: ex if ex["State"] == wanted else None)(
        cli.json("execution-get", ex_id)), f"execution {ex_id} to be {wanted}")


def test_executions_tasks_and_actions_with_the_cli(cli: Cli) -> None:
    cli.run("workflow-create", cli.file("flows.yaml", FLOWS))
    ex = cli.json("execution-create", "greeting", '{"name": "Ada"}', "-d", "from the CLI")
    assert ex["Workflow name"] == "greeting" and ex["Description"] == "from the CLI"
    done = _state(cli, ex["ID"], "SUCCESS")
    assert done["Root Execution ID"] == "<none>"
    assert json.loads(cli.run("execution-get-input", ex["ID"]).stdout) == {
        "name": "Ada", "greeting": "Hello"}
    assert json.loads(cli.run("execution-get-output", ex["ID"]).stdout) == {
        "message": "Hello, Ada"}
    listed = [e["ID"] for e in cli.rows("execution-list")]
    assert ex["ID"] in listed

    (task,) = cli.rows("task-list", ex["ID"])
    assert task["Name"] == "greet" and task["State"] == "SUCCESS"
    assert json.loads(cli.run("task-get-result", task["ID"]).stdout) == "Hello, Ada"
    assert json.loads(cli.run("task-get-published", task["ID"]).stdout) == {
        "message": "Hello, Ada"}
    (action,) = cli.rows("action-execution-list", task["ID"])
    assert action["Name"] == "std.echo" and action["Task name"] == "greet"
    got = cli.json("action-execution-get", action["ID"])
    assert got["State"] == "SUCCESS"
    output = json.loads(cli.run("action-execution-get-output", action["ID"]).stdout)
    assert output == {"result": "Hello, Ada"}
    report = cli.run("execution-get-report", ex["ID"]).stdout
    assert "greeting" in report and "SUCCESS" in report


def test_run_action_with_the_cli(cli: Cli) -> None:
    out = cli.run("run-action", "std.echo", '{"output": "ping"}').stdout
    assert json.loads(out.replace("'", '"')) == {"result": "ping"}
    saved = cli.json("run-action", "std.echo", '{"output": "kept"}', "--save-result")
    assert saved["Name"] == "std.echo"
    wait_for(lambda: cli.json("action-execution-get", saved["ID"])["State"] == "SUCCESS",
             "the saved action to finish")
    out = json.loads(cli.run("action-execution-get-output", saved["ID"]).stdout)
    assert out == {"result": "kept"}
    r = cli.run("run-action", "std.nope", "{}", check=False)
    assert r.returncode != 0 and "std.nope" in r.stderr


def test_pause_resume_async_result_and_delete_with_the_cli(cli: Cli) -> None:
    cli.run("workflow-create", cli.file("flows2.yaml", renamed("2")))
    ex = cli.json("execution-create", "approval2")
    task = wait_for(lambda: cli.rows("task-list", ex["ID"]), "the task to appear")[0]
    action = wait_for(lambda: cli.rows("action-execution-list", task["ID"]),
                      "the action to appear")[0]
    assert cli.json("execution-update", ex["ID"], "-s", "PAUSED")["State"] == "PAUSED"
    cli.run("execution-update", ex["ID"], "-e", '{"reviewer": "bob"}')
    assert cli.json("execution-update", ex["ID"], "-s", "RUNNING")["State"] == "RUNNING"
    assert ex["ID"] in [e["ID"] for e in cli.rows("execution-list", "--rootsonly")]
    assert cli.json("execution-update", ex["ID"], "-d", "waiting for Bob")[
        "Description"] == "waiting for Bob"
    updated = cli.json("action-execution-update", action["ID"], "--state", "SUCCESS",
                       "--output", '"approved"')
    assert updated["State"] == "SUCCESS"
    _state(cli, ex["ID"], "SUCCESS")
    assert json.loads(cli.run("execution-get-output", ex["ID"]).stdout) == {
        "decision": "approved"}

    failing = cli.json("execution-create", "breaks2")
    _state(cli, failing["ID"], "ERROR")
    (boom,) = cli.rows("task-list", failing["ID"])
    assert boom["State"] == "ERROR"
    rerun = cli.json("task-rerun", boom["ID"])
    assert rerun["ID"] == boom["ID"]
    _state(cli, failing["ID"], "ERROR")
    assert len(cli.rows("action-execution-list", boom["ID"])) == 2

    running = cli.json("execution-create", "approval2")
    r = cli.run("execution-delete", running["ID"], check=False)
    assert "force" in r.stdout + r.stderr
    cli.run("execution-delete", running["ID"], "--force")
    r = cli.run("execution-get", running["ID"], check=False)
    assert r.returncode != 0 and "not found" in r.stderr.lower()


def test_executions_with_the_library(cli: Cli) -> None:
    cli.run("workflow-create", cli.file("flows3.yaml", renamed("_lib")))
    out = cli.library("""
import time, uuid
env = mistral.environments.create(name="lib_env", variables={"greeting": "Howdy"})
ex_id = str(uuid.uuid4())
ex = mistral.executions.create("greeting_lib", workflow_input={"name": "Lib"},
                               description="lib", env="lib_env")
for _ in range(300):
    ex = mistral.executions.get(ex.id)
    if ex.state in ("SUCCESS", "ERROR"):
        break
    time.sleep(0.2)
tasks = mistral.tasks.list(workflow_execution_id=ex.id)
actions = mistral.action_executions.list(task_execution_id=tasks[0].id)
run = mistral.action_executions.create("std.echo", {"output": 7})
filtered = mistral.executions.list(workflow_name="greeting_lib", state="SUCCESS")
subs = mistral.executions.get_ex_sub_executions(ex.id)
report = mistral.executions.get_report(ex.id, errors_only=False)
print(json.dumps({
    "state": ex.state, "info": ex.state_info, "output": json.loads(ex.output),
    "params": json.loads(ex.params),
    "tasks": [t.name for t in tasks], "listed_result": hasattr(tasks[0], "result"),
    "result": json.loads(mistral.tasks.get(tasks[0].id).result),
    "actions": [a.name for a in actions], "run": run.output,
    "filtered": [e.id for e in filtered], "id": ex.id, "subs": [e.id for e in subs],
    "report_root": report["root_workflow_execution"]["id"],
}))
""")
    assert out["state"] == "SUCCESS", out["info"]
    assert out["params"]["env"] == {"greeting": "Howdy"}
    assert out["tasks"] == ["greet"] and out["actions"] == ["std.echo"]
    # as Mistral 23: a task list leaves the result out, a task GET has it
    assert out["result"] == "Hello, Lib" and out["listed_result"] is False
    assert json.loads(out["run"]) == {"result": 7}
    assert out["filtered"] == [out["id"]] and out["subs"] == [out["id"]]
    assert out["report_root"] == out["id"]


def test_event_triggers_with_the_cli(cli: Cli) -> None:
    cli.run("workflow-create", cli.file("flows4.yaml", renamed("_ev")))
    wf_id = cli.json("workflow-get", "greeting_ev")["ID"]
    et = cli.json("event-trigger-create", "on_boot", wf_id, "nova", "notifications",
                  "compute.instance.create.end", '{"name": "vm"}')
    assert et["Name"] == "on_boot" and et["Exchange"] == "nova"
    assert et["ID"] in [e["ID"] for e in cli.rows("event-trigger-list")]
    assert cli.json("event-trigger-get", et["ID"])["Event"] == "compute.instance.create.end"
    cli.run("event-trigger-delete", et["ID"])
    assert et["ID"] not in [e["ID"] for e in cli.rows("event-trigger-list")]


def test_a_cron_trigger_fires_once(cli: Cli) -> None:
    cli.run("workflow-create", cli.file("flows5.yaml", renamed("_cron")))
    # The CLI takes --first-time to the minute; the library passes seconds through. The
    # time is chosen inside the client process, just before the request.
    ct = cli.library("""
import datetime
first = (datetime.datetime.now(datetime.timezone.utc)
         + datetime.timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S")
ct = mistral.cron_triggers.create("soon", "greeting_cron", {"name": "Cron"},
                                  first_time=first, count=1)
print(json.dumps({"first": first, "next": ct.next_execution_time,
                  "count": ct.remaining_executions}))
""")
    assert ct["next"] == ct["first"] and ct["count"] == 1

    def fired() -> list[dict]:
        return [e for e in cli.rows("execution-list", "--filter", "workflow_name=greeting_cron")
                if e["State"] == "SUCCESS"]

    (ex,) = wait_for(fired, "the cron trigger to start its workflow")
    assert json.loads(cli.run("execution-get-output", ex["ID"]).stdout) == {
        "message": "Hello, Cron"}
    wait_for(lambda: "soon" not in [c["Name"] for c in cli.rows("cron-trigger-list")],
             "the one-shot trigger to be removed after its run")


REVERTING = """---
version: '2.0'
provision:
  revert-on-error: true
  tasks:
    create_vm:
      action: std.echo output=vm-7
      revert: std.echo output="deleted <% task().result %>"
      on-success: attach_disk
    attach_disk:
      action: std.fail
      revert: std.noop
partial:
  tasks:
    step:
      action: std.echo output=one
      revert: std.echo output=undo-one
      on-success: broken
    broken:
      action: std.fail
"""


def test_reverts_are_tasks_the_real_client_lists_and_our_cli_reverts(cli: Cli) -> None:
    """Ours beyond Mistral: the real client shows revert tasks like any other task; our
    ``mistral execution-revert`` reverts a failed execution on request."""
    from tests.functional.client.runner import Cli as OurCli

    cli.run("workflow-create", cli.file("reverting.yaml", REVERTING))
    ex = cli.json("execution-create", "provision")
    done = _state(cli, ex["ID"], "ERROR")
    assert "every revert succeeded: attach_disk, create_vm" in cli.run(
        "execution-get", ex["ID"], "-f", "value", "-c", "State info").stdout
    rows = cli.rows("task-list", ex["ID"])
    assert [(r["Name"], r["State"]) for r in rows] == [
        ("create_vm", "SUCCESS"), ("attach_disk", "ERROR"),
        ("revert:attach_disk", "SUCCESS"), ("revert:create_vm", "SUCCESS")]
    undo = next(r for r in rows if r["Name"] == "revert:create_vm")
    assert json.loads(cli.run("task-get-result", undo["ID"]).stdout) == "deleted vm-7"
    assert "revert:create_vm" in cli.run("execution-get-report", done["ID"],
                                         "--no-errors-only").stdout

    failed = cli.json("execution-create", "partial")
    _state(cli, failed["ID"], "ERROR")
    ours = OurCli(cli.url, cli.workdir)
    reverted = ours.json("execution-revert", failed["ID"])
    assert reverted["ID"] == failed["ID"] and reverted["State"] in ("RUNNING", "ERROR")
    final = _state(cli, failed["ID"], "ERROR")
    assert final["ID"] == failed["ID"]
    assert [(r["Name"], r["State"]) for r in cli.rows("task-list", failed["ID"])][-1] == (
        "revert:step", "SUCCESS")
    again = ours.run("execution-revert", failed["ID"], ok=False)
    assert again.code != 0 and "nothing to revert" in again.err
