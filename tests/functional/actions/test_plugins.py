"""Mistral's plugins load and run unchanged: a ``mistral_lib.actions.Action`` class under
the ``mistral.actions`` entry point, and mistral-extra 17's action generators.

Runs in the venv of ``tests/plugin_env.py`` (mistral-lib 3.6 and mistral-extra 17 from
PyPI beside this checkout; see there why not in the project's own venv), in a
subprocess, with a small plugin distribution written by the test.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests import plugin_env

PLUGIN = '''
from mistral_lib import actions
from mistral_lib import exceptions


class Greet(actions.Action):
    """Greets someone, the mistral-lib way."""

    def __init__(self, name, punctuation="!"):
        super().__init__()
        self.name = name
        self.punctuation = punctuation

    def run(self, context):
        return {"greeting": "Hello, %s%s" % (self.name, self.punctuation),
                "project": context.security.project_id,
                "execution": context.execution.workflow_execution_id}


class Refuse(actions.Action):
    def __init__(self, code=400):
        super().__init__()
        self.code = code

    def run(self, context):
        if self.code == 0:
            raise exceptions.ActionException("refused on purpose")
        return actions.Result(error={"code": self.code})
'''

SCRIPT = '''
import json, sys
from mistral.actions import ActionContext, ActionRegistry
from mistral.context import RequestContext
from mistral import exceptions as exc

reg = ActionRegistry.load()
out = {"names": reg.names()}
out["greet"] = reg.describe("test.greet").to_dict()
for name in ("nova.servers_list", "nova.servers_create", "cinder.volumes_create", "cinder.backups_create"):
    if name in reg:
        out[name] = reg.describe(name).to_dict()
ctx = ActionContext(request=RequestContext(project_id="p-42"), workflow_execution_id="wf-1")
out["run"] = reg.build("test.greet", {"name": "Ann"}).run(ctx)
res = reg.build("test.refuse", {"code": 503}).run(ctx)
out["refuse"] = {"error": res.error, "is_error": res.is_error()}
try:
    reg.build("test.refuse", {"code": 0}).run(ctx)
except exc.ActionError as e:
    out["raised"] = str(e)
for bad in ({"nme": "x"}, {}):
    try:
        reg.build("test.greet", bad)
    except exc.InputError as e:
        out.setdefault("input_errors", []).append(str(e))
try:
    reg.build("nova.servers_list", {"no_such_param": 1})
    out["nova_bad_input"] = "accepted"
except exc.InputError as e:
    out["nova_bad_input"] = str(e)
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    try:
        exe = plugin_env.python()
    except RuntimeError as e:
        pytest.fail(str(e))
    d = tmp_path_factory.mktemp("plugin")
    (d / "greet_plugin.py").write_text(PLUGIN)
    info = d / "greet_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: greet-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [mistral.actions]
        test.greet = greet_plugin:Greet
        test.refuse = greet_plugin:Refuse
    """))
    proc = subprocess.run([exe, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(d), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_mistral_lib_action_is_listed_and_runs(result: dict) -> None:
    assert result["greet"]["input"] == 'name, punctuation="!"'
    assert result["greet"]["description"].startswith("Greets someone")
    assert result["run"] == {"greeting": "Hello, Ann!", "project": "p-42", "execution": "wf-1"}
    assert result["refuse"] == {"error": {"code": 503}, "is_error": True}
    assert result["raised"] == "test.refuse: refused on purpose"
    unexpected, missing = result["input_errors"]
    assert "unexpected parameters: nme" in unexpected and "missing parameters: name" in unexpected
    assert "missing parameters: name" in missing


def test_mistral_extra_generated_actions_load(result: dict) -> None:
    names = result["names"]
    assert "std.echo" in names
    assert sum(n.startswith("nova.") for n in names) > 50
    assert sum(n.startswith("cinder.") for n in names) > 20
    assert "glance.images_list" in names or "glance." not in " ".join(names)
    assert result["nova.servers_create"]["input"].startswith("name, image, flavor")
