"""An event whose writes break a limit of the store ends the execution; it never stays RUNNING.

The definition validator refuses task names longer than their column today; a definition
stored before that check (or any other value the store refuses deterministically) must
still end in ERROR with the reason, because retrying the event would fail the same way.
"""

from __future__ import annotations

import json
from typing import Any

from mistral import lang
from tests.functional.engine.harness import CTX, Harness

OK_NAME = "t" * 255
TOO_LONG = "t" * 300

WF = f"""---
version: '2.0'
legacy_long_names:
  tasks:
    a:
      action: std.noop
      on-success: [{OK_NAME}]
    {OK_NAME}:
      action: std.noop
"""


def _store_without_validation(h: Harness) -> None:
    spec = lang.parse_workflows(WF).workflows[0]
    raw = json.loads(json.dumps(spec.to_dict()).replace(OK_NAME, TOO_LONG))
    with h.db.transaction(CTX) as tx:
        tx.workflow_definitions.create({
            "name": spec.name, "namespace": "", "definition": WF.replace(OK_NAME, TOO_LONG),
            "spec": raw, "checksum": "legacy-long-names", "scope": "private",
        })


def test_a_task_the_store_refuses_fails_the_execution(sqlite_database: Any) -> None:
    h = Harness(sqlite_database)
    _store_without_validation(h)
    wf_id = h.start("legacy_long_names")
    h.run_until_idle()
    ex = h.execution(wf_id)
    assert ex["state"] == "ERROR", ex
    assert "too long" in (ex["state_info"] or "")
    assert "RUNNING" not in h.task_states(wf_id).values(), h.task_states(wf_id)
