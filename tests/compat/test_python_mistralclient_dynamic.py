"""The real python-mistralclient 6.x's code-source-* and dynamic-action-* commands against
a real ``mistral-server --server all`` (auth off), and a workflow using a dynamic action
run by the server's real executor."""

from __future__ import annotations

import json

import pytest

from tests.compat.harness import Cli, wait_for

pytestmark = pytest.mark.xdist_group("compat")

MODULE = '''from mistral.actions.base import Action


class Shout(Action):
    """Shouts a word."""

    def __init__(self, word, times=1):
        super().__init__()
        self.word = word
        self.times = times

    def run(self, context):
        return " ".join([self.word.upper()] * self.times)
'''

FLOW = """---
version: '2.0'
shouting:
  tasks:
    t1:
      action: cli_shout word=hey times=2
      publish:
        said: <% task().result %>
  output:
    said: <% $.said %>
"""


def test_code_sources_and_dynamic_actions_with_the_cli(cli: Cli) -> None:
    # Each command once: a CLI process costs about a second or two.
    path = cli.file("shouting.py", MODULE)
    src = cli.json("code-source-create", "cli_shouting", path)
    assert (src["Name"], src["Namespace"], src["Scope"]) == ("cli_shouting", "", "private")
    assert cli.run("code-source-get-content", "cli_shouting").stdout == MODULE
    # code-source-update sends the scope it is given (private without --public), as
    # against Mistral 23.
    updated = cli.json("code-source-update", "cli_shouting", path, "--public")
    assert (updated["Scope"], updated["ID"]) == ("public", src["ID"])
    assert updated["Updated at"]
    assert "cli_shouting" in [r["Name"] for r in cli.rows("code-source-list")]
    assert cli.json("code-source-get", "cli_shouting")["Scope"] == "public"

    dyn = cli.json("dynamic-action-create", "cli_shout", "Shout", src["ID"], "--public")
    assert (dyn["Name"], dyn["Class"], dyn["Code source name"], dyn["Scope"]) == (
        "cli_shout", "Shout", "cli_shouting", "public")
    # Without --class-name the class stays (Mistral 23 fails this with a 500); the scope
    # goes back to private, as the client sends it.
    again = cli.json("dynamic-action-update", "cli_shout")
    assert (again["Class"], again["Scope"]) == ("Shout", "private")
    assert cli.json("dynamic-action-get", "cli_shout")["ID"] == dyn["ID"]
    assert "cli_shout" in [r["Name"] for r in cli.rows("dynamic-action-list")]

    # The library: listed as an action, run directly and in a workflow by the server's
    # real executor; a source that does not compile is refused naming the line.
    out = cli.library(f"""
import time
from mistralclient.api import base
action = mistral.actions.get("cli_shout")
direct = mistral.action_executions.create("cli_shout", {{"word": "hi"}}, save_result=True,
                                          run_sync=True)
mistral.workflows.create({FLOW!r})
ex = mistral.executions.create("shouting")
for _ in range(300):
    ex = mistral.executions.get(ex.id)
    if ex.state in ("SUCCESS", "ERROR"):
        break
    time.sleep(0.2)
try:
    mistral.code_sources.create("cli_broken", "x = 1\\ndef f(:\\n")
    refused = None
except base.APIException as e:
    refused = [e.error_code, e.error_message]
print(json.dumps({{"input": action.input, "system": action.is_system, "direct": direct.output,
                  "state": ex.state, "output": ex.output, "refused": refused}}))
""")
    assert (out["input"], out["system"]) == ("word, times=1", False)
    assert json.loads(out["direct"]) == {"result": "HI"}
    assert (out["state"], json.loads(out["output"])) == ("SUCCESS", {"said": "HEY HEY"})
    assert out["refused"][0] == 400 and "line 2" in out["refused"][1]

    cli.run("dynamic-action-delete", "cli_shout")
    cli.run("code-source-delete", "cli_shouting")
    assert cli.library("print(json.dumps([c.name for c in mistral.code_sources.list()]))") == []
