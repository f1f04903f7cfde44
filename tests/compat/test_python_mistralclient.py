"""The real python-mistralclient 6.x (CLI and library) against our server, unchanged.

One realistic session per test, on one server process shared by the module.
"""

from __future__ import annotations

import json

import pytest

from tests.compat.harness import Cli

# One worker runs the whole session against one server process.
pytestmark = pytest.mark.xdist_group("compat")

WORKBOOK = """---
version: '2.0'
name: ops
workflows:
  backup:
    input: [target]
    tasks:
      copy:
        action: std.echo output="copied <% $.target %>"
        publish:
          copied: <% task().result %>
actions:
  shout:
    input: [text]
    base: std.echo
    base-input:
      output: <% $.text %>!
"""

WORKFLOW = """---
version: '2.0'
hello:
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
"""

ACTION = """---
version: '2.0'
my_echo:
  input: [text]
  base: std.echo
  base-input:
    output: <% $.text %>
"""


def test_workbooks_and_workflows_with_the_cli(cli: Cli) -> None:
    wb = cli.json("workbook-create", cli.file("wb.yaml", WORKBOOK))
    assert wb["Name"] == "ops" and wb["Scope"] == "private"
    assert [w["Name"] for w in cli.rows("workbook-list")] == ["ops"]
    assert cli.run("workbook-get-definition", "ops").stdout.strip() == WORKBOOK.strip()
    assert cli.json("workbook-validate", cli.file("wb2.yaml", WORKBOOK))["Valid"] is True

    (wf,) = cli.json("workflow-create", cli.file("wf.yaml", WORKFLOW), "--public")
    assert wf["Name"] == "hello" and wf["Input"] == 'name, greeting="Hello"'
    assert wf["Scope"] == "public"
    got = cli.json("workflow-get", "hello")
    assert got["ID"] == wf["ID"]
    assert "greet:" in cli.run("workflow-get-definition", "hello").stdout
    names = {w["Name"] for w in cli.rows("workflow-list")}
    assert {"hello", "ops.backup"} <= names
    updated = cli.json("workflow-update", cli.file("wf.yaml", WORKFLOW.replace("Hello", "Hi")))
    assert updated[0]["Input"] == 'name, greeting="Hi"'

    broken = WORKFLOW.replace("      publish:", "      on-success: [nowhere]\n      publish:")
    bad = cli.file("bad.yaml", broken)
    invalid = cli.json("workflow-validate", bad)
    assert invalid["Valid"] is False and "nowhere" in invalid["Error"]
    r = cli.run("workflow-create", bad, check=False)
    assert r.returncode != 0 and "nowhere" in r.stderr

    dup = cli.run("workflow-create", cli.file("wf.yaml", WORKFLOW), check=False)
    assert dup.returncode != 0 and "Duplicate" in dup.stderr

    cli.run("workbook-delete", "ops")
    assert cli.rows("workbook-list") == []
    # As Mistral 23: a deleted workbook's workflows stay.
    assert "ops.backup" in {w["Name"] for w in cli.rows("workflow-list")}


def test_actions_with_the_cli(cli: Cli) -> None:
    (a,) = cli.json("action-create", cli.file("a.yaml", ACTION))
    assert a["Name"] == "my_echo" and a["Is system"] is False and a["Input"] == "text"
    assert cli.json("action-get", "my_echo")["ID"] == a["ID"]
    assert cli.json("action-get", "std.echo")["Is system"] is True
    names = [x["Name"] for x in cli.rows("action-list", "--limit", "1000")]
    assert "std.http" in names and "my_echo" in names
    assert "base: std.echo" in cli.run("action-get-definition", "my_echo").stdout
    assert cli.json("action-validate", cli.file("a2.yaml", ACTION))["Valid"] is True
    r = cli.run("action-delete", "std.echo", check=False)
    assert "system" in (r.stdout + r.stderr)
    cli.run("action-delete", "my_echo")
    r = cli.run("action-get", "my_echo", check=False)
    assert r.returncode != 0 and "not found" in r.stderr.lower()


def test_environments_and_cron_triggers_with_the_cli(cli: Cli) -> None:
    env_file = cli.file("env.json", json.dumps({
        "name": "staging", "description": "stage", "variables": {"region": "eu", "n": 2},
    }))
    env = cli.json("environment-create", env_file)
    assert env["Name"] == "staging" and json.loads(env["Variables"]) == {"region": "eu", "n": 2}
    assert "staging" in [e["Name"] for e in cli.rows("environment-list")]
    got = cli.json("environment-get", "staging")
    assert json.loads(got["Variables"])["region"] == "eu"
    cli.run("environment-update", cli.file("env2.json", json.dumps({
        "name": "staging", "variables": {"region": "us"}})))
    assert json.loads(cli.json("environment-get", "staging")["Variables"]) == {"region": "us"}

    cli.run("workflow-create", cli.file("wf_ct.yaml", WORKFLOW.replace("hello:", "ticker:")))
    ct = cli.json("cron-trigger-create", "nightly", "ticker", '{"name": "cron"}',
                  "--pattern", "0 2 * * *", "--count", "3")
    assert ct["Name"] == "nightly" and ct["Workflow"] == "ticker"
    assert ct["Pattern"] == "0 2 * * *" and ct["Remaining executions"] == 3
    assert ct["Next execution time"].endswith("02:00:00")
    assert "nightly" in [c["Name"] for c in cli.rows("cron-trigger-list")]
    r = cli.run("workflow-delete", "ticker", check=False)
    assert "nightly" in r.stdout + r.stderr
    assert cli.json("workflow-get", "ticker")["Name"] == "ticker"
    cli.run("cron-trigger-delete", "nightly")
    cli.run("workflow-delete", "ticker")
    cli.run("environment-delete", "staging")
    assert "staging" not in [e["Name"] for e in cli.rows("environment-list")]


def test_definitions_with_the_library(cli: Cli) -> None:
    out = cli.library(f"""
wfs = mistral.workflows.create({WORKFLOW.replace('hello:', 'libflow:')!r}, namespace="lib")
wf = mistral.workflows.get("libflow", namespace="lib")
envs = mistral.environments.create(name="libenv", variables={{"a": 1}})
listed = mistral.workflows.list(namespace="lib")
page = mistral.workflows.list(limit=1, sort_keys="name", sort_dirs="desc")
valid = mistral.workflows.validate("version: '2.0'\\nx: {{tasks: {{t: {{action: 1}}}}}}")
try:
    mistral.workflows.get("does-not-exist")
    missing = None
except Exception as e:
    missing = [getattr(e, "error_code", None), str(e)]
mistral.workflows.delete("libflow", namespace="lib")
print(json.dumps({{
    "created": [w.name for w in wfs], "ns": wf.namespace, "interface": wf.interface,
    "env": envs.variables, "listed": [w.id for w in listed], "wf_id": wf.id,
    "page": len(page), "valid": valid, "missing": missing,
}}))
""")
    assert out["created"] == ["libflow"] and out["ns"] == "lib"
    # A JSON string, as Mistral 23 sends it (the real client passes it through).
    assert json.loads(out["interface"])["input"] == ["name", {"greeting": "Hello"}]
    assert out["env"] == {"a": 1}
    assert out["listed"] == [out["wf_id"]]
    assert out["page"] == 1
    assert out["valid"]["valid"] is False and out["valid"]["error"]
    assert out["missing"][0] == 404 and "does-not-exist" in out["missing"][1]
