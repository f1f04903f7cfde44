"""A code source written the Mistral way (``from mistral_lib import actions``) runs as a
dynamic action: a mistral-lib context in, a mistral-lib ``Result`` out.

Runs in the venv of ``tests/plugin_env.py`` (mistral-lib 3.6 from PyPI beside this
checkout), in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests import plugin_env

SCRIPT = '''
import json
from mistral import exceptions as exc
from mistral.actions import ActionContext, dynamic
from mistral.context import RequestContext

SOURCE = """from mistral_lib import actions


class Hello(actions.Action):
    \\"\\"\\"Says hello.\\"\\"\\"

    def __init__(self, name, greeting="Hello"):
        super().__init__()
        self.name = name
        self.greeting = greeting

    def run(self, context):
        if self.name == "nobody":
            return actions.Result(error="nobody to greet")
        return {"said": "%s, %s!" % (self.greeting, self.name),
                "project": context.security.project_id,
                "execution": context.execution.workflow_execution_id}
"""
ref = dynamic.DynamicRef("id-1", "greetings", dynamic.source_checksum(SOURCE), "Hello", SOURCE)
ctx = ActionContext(request=RequestContext(project_id="p-7"), workflow_execution_id="wf-9")
out = {"describe": list(dynamic.describe(dynamic.load_class(ref)))}
out["run"] = dynamic.build("hello", ref, {"name": "Ann"}).run(ctx)
res = dynamic.build("hello", ref, {"name": "nobody"}).run(ctx)
out["error"] = [res.error, res.is_error()]
try:
    dynamic.build("hello", ref, {})
except exc.InputError as e:
    out["missing"] = str(e)
print(json.dumps(out))
'''


def test_a_mistral_lib_code_source_runs(tmp_path: Path) -> None:
    try:
        exe = plugin_env.python()
    except RuntimeError as e:
        pytest.fail(str(e))
    proc = subprocess.run([exe, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["describe"] == ['name, greeting="Hello"', "Says hello."]
    assert out["run"] == {"said": "Hello, Ann!", "project": "p-7", "execution": "wf-9"}
    assert out["error"] == ["nobody to greet", True]
    assert "missing parameters: name" in out["missing"]
