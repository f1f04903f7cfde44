"""[expressions] allowed_languages at evaluation: a workflow stored before the operator
restricted the languages (the harness stores it without the upload check) fails when it
reaches an expression in a disallowed language."""

from __future__ import annotations

from typing import Any

from mistral.engine.settings import EngineSettings
from mistral.expressions import ExpressionSettings
from tests.functional.engine.harness import Harness

WF = """
version: '2.0'
wf:
  tasks:
    t1:
      action: std.echo output=1
      publish:
        y: <% task().result + 1 %>
      on-success: [t2]
    t2:
      action: std.echo output="{{ _.y }}"
"""


def _harness(db: Any, *languages: str) -> Harness:
    expressions = ExpressionSettings(allowed_languages=frozenset(languages))
    return Harness(db, EngineSettings(expressions=expressions))


def test_a_disallowed_language_fails_the_execution(sqlite_database: Any) -> None:
    h = _harness(sqlite_database, "yaql")
    h.define(WF)
    wf = h.run("wf")
    assert wf["state"] == "ERROR"
    assert h.task_states(wf["id"]) == {"t1": "SUCCESS", "t2": "ERROR"}
    assert "jinja" in h.task(wf["id"], "t2")["state_info"]


def test_both_languages_by_default(sqlite_database: Any) -> None:
    h = _harness(sqlite_database, "yaql", "jinja")
    h.define(WF)
    assert h.run("wf")["state"] == "SUCCESS"


def test_settings_from_conf() -> None:
    class Conf:
        class engine:
            host, reconcile_interval, merge_strategy = "e", 5, "replace"
            execution_integrity_check_delay, execution_integrity_check_batch_size = 20, 5

        class action_heartbeat:
            max_missed_heartbeats, check_interval, first_heartbeat_timeout = 5, 2, 10

        class expressions:
            allowed_languages = ["jinja"]

    assert EngineSettings.from_conf(Conf).expressions.allowed_languages == frozenset({"jinja"})
