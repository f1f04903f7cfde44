"""Every example of the DSL guide (docs/examples/*.yaml) runs through the engine as the
guide says it does, and together they use every keyword the guide documents.

Each example starts with comment lines: ``# run: <workflow>``, ``# expect: <state>``,
optionally ``# input:`` / ``# params:`` / ``# output:`` (JSON; the output must contain
these keys and values), ``# tasks:`` (a JSON list: the names of the task executions, in
the order they were made) and ``# kind: workbook``. An example with ``# rehearse:
<mocks>`` is rehearsed (``mistral.engine.rehearsal``) with those mocks instead of run,
and its ``# path:`` (JSON) is the path the rehearsal must report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mistral.context import RequestContext
from mistral.engine.rehearsal import Rehearsal
from tests.functional.engine.harness import Harness

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "docs" / "examples").glob("*.yaml"))

#: the keywords docs/dsl.rst documents; each must be used by an example
KEYWORDS = {
    # workflow
    "version", "description", "tags", "type", "input", "output", "output-on-error", "vars",
    "task-defaults", "tasks",
    # task
    "action", "workflow", "publish", "publish-on-error", "on-success", "on-error",
    "on-complete", "on-skip", "publish-on-skip", "join", "with-items", "concurrency",
    "retry", "count", "delay", "break-on", "continue-on", "backoff", "max-delay", "jitter",
    "wait-before", "wait-after", "timeout", "pause-before",
    "fail-on", "keep-result", "safe-rerun", "target", "requires",
    # revert (ours)
    "revert", "revert-on-error",
    # engine commands
    "fail", "succeed", "pause", "noop",
    # workbook and ad-hoc actions
    "name", "workflows", "actions", "base", "base-input",
}


def _header(text: str) -> dict[str, str]:
    return dict(re.findall(r"^# ([a-z]+): (.*)$", text, re.M))


def _keys(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(str(k))
            found |= _keys(v)
    elif isinstance(value, list):
        for v in value:
            found |= _keys(v)
            if isinstance(v, str):
                found.add(v.split(":")[0])  # engine commands in on-* lists
    return found


def test_examples_use_every_documented_keyword() -> None:
    used: set[str] = set()
    for path in EXAMPLES:
        used |= _keys(yaml.safe_load(path.read_text()))
    assert not KEYWORDS - used, sorted(KEYWORDS - used)
    guide = (EXAMPLES[0].parent.parent / "dsl.rst").read_text()
    undocumented = [k for k in KEYWORDS if f"``{k}``" not in guide]
    assert not undocumented, undocumented
    for path in EXAMPLES:
        assert f"examples/{path.name}" in guide, f"{path.name} is not in docs/dsl.rst"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_as_documented(sqlite_database: Any, path: Path) -> None:
    text = path.read_text()
    head = _header(text)
    h = Harness(sqlite_database)
    if head.get("kind") == "workbook":
        h.define_workbook(text)
    else:
        h.define(text)
    params = json.loads(head.get("params", "{}"))
    if "rehearse" in head:
        answer = Rehearsal(sqlite_database).run(
            RequestContext(), head["run"], wf_input=json.loads(head.get("input", "{}")),
            params=params, mocks=json.loads(head["rehearse"]))
        assert answer["state"] == head["expect"], answer
        assert answer["path"] == json.loads(head["path"]), answer["path"]
        want = json.loads(head.get("output", "{}"))
        assert {k: answer["output"].get(k) for k in want} == want
        return
    ex = h.run(head["run"], json.loads(head.get("input", "{}")), **params)
    assert ex["state"] == head["expect"], (ex["state"], ex.get("state_info"), h.task_states(ex["id"]))
    want = json.loads(head.get("output", "{}"))
    got = ex.get("output") or {}
    assert {k: got.get(k) for k in want} == want
    if "tasks" in head:  # the task executions, in the order they were made
        assert [t["name"] for t in h.tasks(ex["id"])] == json.loads(head["tasks"])
