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
from tests.functional.client.runner import Cli

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


def test_wait_and_watch_an_execution(url: str, tmp_path: Path) -> None:
    cli = Cli(url, tmp_path)
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


def test_watch_on_a_terminal_is_in_colour(url: str, tmp_path: Path) -> None:
    import os
    import pty

    cli = Cli(url, tmp_path)
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
