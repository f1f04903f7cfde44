"""Every workflow of tests/resources/workflows, run on the engine, ends in a terminal state.

Inputs without a default get a placeholder value, so some runs fail on purpose: the
property checked is that nothing is left RUNNING and that failures say why.
"""

from __future__ import annotations

import pathlib

import pytest

from mistral import lang
from tests.functional.engine.harness import CTX, Harness

RESOURCES = pathlib.Path(__file__).parents[2] / "resources" / "workflows"
FILES = sorted(p for p in RESOURCES.glob("*.y*ml") if "workbook" not in p.name
               and "actions_only" not in p.name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_resource_workflows_finish(h: Harness, path: pathlib.Path) -> None:
    text = path.read_text()
    specs = lang.parse_workflows(text).workflows
    h.define(text)
    for spec in specs:
        wf_input = {p.name: "x" for p in spec.input if not p.has_default}
        params: dict = {"env": {"user": "me"}}
        if spec.type == "reverse":
            params["task_name"] = list(spec.tasks)[-1]
        wf = h.engine.start_workflow(CTX, spec.name, wf_input=wf_input, params=params)
        h.run_with_clock(step=5)
        while h.execution(wf["id"])["state"] == "PAUSED":
            h.engine.resume_workflow(CTX, wf["id"])
            h.run_with_clock(step=5)
        final = h.execution(wf["id"])
        assert final["state"] in ("SUCCESS", "ERROR", "CANCELLED"), (spec.name, final)
        if final["state"] == "ERROR":
            assert final["state_info"], spec.name
        active = [t for t in h.tasks(wf["id"]) if t["state"] not in
                  ("SUCCESS", "ERROR", "CANCELLED")]
        assert not active, (spec.name, active)
