"""Our own ``mistralclient`` (library and ``mistral`` CLI) against a real ``mistral-server``.

The server is a real process (``mistral-server --server all`` on a temp SQLite file), so
this is the path a user takes: HTTP, pecan, engine, executor, database.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistralclient.api.client import client
from mistralclient.api.base import APIException
from tests.compat.harness import running_server

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

pytestmark = pytest.mark.xdist_group("mistral_server")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("client")) as u:
        yield u


def _finished(c, ex_id: str) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ex = c.executions.get(ex_id)
        if ex.state in ("SUCCESS", "ERROR", "CANCELLED"):
            return ex
        time.sleep(0.1)
    raise AssertionError("execution did not finish: %s" % ex_id)


def test_library_session(url: str, tmp_path: Path) -> None:
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


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "mistral"
    return subprocess.run([str(exe), "--os-mistral-url", url, *args],
                          capture_output=True, text=True, timeout=60)


def test_cli_session(url: str, tmp_path: Path) -> None:
    wf = tmp_path / "wf.yaml"
    wf.write_text(WF.replace("greet:", "greet_cli:"))
    r = _cli(url, "workflow-create", str(wf), "-f", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["Name"] == "greet_cli"

    r = _cli(url, "execution-create", "greet_cli", '{"name": "Bob"}', "-f", "value", "-c", "ID")
    assert r.returncode == 0, r.stderr
    ex_id = r.stdout.strip()
    _finished(client(mistral_url=url), ex_id)

    r = _cli(url, "execution-get-output", ex_id)
    assert json.loads(r.stdout) == {"greeting": "Hello, Bob!"}
    r = _cli(url, "task-list", ex_id, "-f", "json", "-c", "Name", "-c", "State")
    assert sorted((t["Name"], t["State"]) for t in json.loads(r.stdout)) == [
        ("say", "SUCCESS"), ("shout", "SUCCESS")]

    r = _cli(url, "run-action", "std.echo", '{"output": "x"}')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"result": "x"}

    r = _cli(url, "execution-create", "does_not_exist")
    assert r.returncode != 0
    assert "does_not_exist" in r.stderr and "Traceback" not in r.stderr
