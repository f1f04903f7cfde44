"""Results of one execution that arrive together are applied together (group commit):
every result is applied once, in one of few transactions, and a result that cannot be
stored fails alone while the others of its batch are applied.

The batch is made deterministic, not timed: the test holds SQLite's writer lock while
the results arrive, so the first caller waits for it at BEGIN and every other one queues
behind that caller; when the lock is released they go in one batch."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mistral import exceptions as exc
from mistral.engine.interface import ActionResult
from tests.functional.engine.harness import CTX, Harness, result_of

ITEMS = """
version: '2.0'
wf:
  input: [n]
  tasks:
    t:
      with-items: i in <% range($.n) %>
      action: std.echo output=<% $.i %>
"""


def _deliver_together(h: Harness, wf_id: str, results: dict[str, ActionResult]) -> dict[str, Any]:
    """Each result from a thread of its own while the writer lock is held; returns what
    each caller got (None, or the error it raised)."""
    outcome: dict[str, Any] = {}

    def deliver(action_ex_id: str) -> None:
        try:
            h.engine.on_action_complete(CTX, action_ex_id, results[action_ex_id])
            outcome[action_ex_id] = None
        except Exception as e:  # noqa: BLE001 - what reached this caller
            outcome[action_ex_id] = e

    threads = [threading.Thread(target=deliver, args=(i,)) for i in results]
    with h.db.transaction(CTX):  # SQLite: the one writer lock, held by the test
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        # the first caller leads (waiting for the lock), the others queue behind it
        while len(h.engine._results._queues.get(wf_id, ())) < len(results) - 1:
            assert time.monotonic() < deadline, "results were not queued"
            time.sleep(0.01)
    for t in threads:
        t.join(20)
    return outcome


def _held(h: Harness, wf_id: str) -> list[str]:
    ids = [r.action_ex_id for _, r in h.executor.queue]
    h.executor.queue.clear()
    return ids


def test_results_arriving_together_are_each_applied_once(h: Harness) -> None:
    h.define(ITEMS)
    h.executor.hold = True
    wf_id = h.start("wf", {"n": 20})
    ids = _held(h, wf_id)
    assert len(ids) == 20
    results = {i: ActionResult(data=f"r{n}") for n, i in enumerate(ids)}
    outcome = _deliver_together(h, wf_id, results)
    assert outcome == {i: None for i in ids}
    task = h.task(wf_id, "t")
    assert (task["state"], task["items_done"], task["items_failed"]) == ("SUCCESS", 20, 0)
    assert result_of(task) == [f"r{n}" for n in range(20)]
    assert h.execution(wf_id)["state"] == "SUCCESS"
    # a result delivered again (an executor that did not get the answer) is ignored
    h.engine.on_action_complete(CTX, ids[3], ActionResult(data="again"))
    assert result_of(h.task(wf_id, "t"))[3] == "r3"


def test_a_result_that_cannot_be_stored_fails_alone(h: Harness) -> None:
    h.define(ITEMS)
    h.executor.hold = True
    wf_id = h.start("wf", {"n": 6})
    ids = _held(h, wf_id)
    results = {i: ActionResult(data=n) for n, i in enumerate(ids)}
    results[ids[2]] = ActionResult(data={"not json": object()})
    outcome = _deliver_together(h, wf_id, results)
    assert outcome == {i: None for i in ids}, "each caller's result was applied or failed its action"
    actions = {a["id"]: a for a in h.actions(h.task(wf_id, "t")["id"])}
    assert actions[ids[2]]["state"] == "ERROR"
    assert "could not be applied" in actions[ids[2]]["state_info"]
    assert [actions[i]["state"] for i in ids if i != ids[2]] == ["SUCCESS"] * 5
    task = h.task(wf_id, "t")
    assert (task["state"], task["items_done"], task["items_failed"]) == ("ERROR", 6, 1)
    assert h.execution(wf_id)["state"] == "ERROR"


def test_results_delivered_in_one_call_reach_their_executions(h: Harness) -> None:
    """An executor delivers what finished together in one call: results of several
    executions, each applied with its execution; an unknown action is reported after
    the others were applied, and delivering them again changes nothing."""
    h.define(ITEMS)
    h.executor.hold = True
    first, second = h.start("wf", {"n": 2}), h.start("wf", {"n": 1})
    ids = [r.action_ex_id for _, r in h.executor.queue]
    h.executor.queue.clear()
    results = [ActionResult(data=n) for n in range(len(ids))]
    with pytest.raises(exc.NotFoundError, match="no-such-action"):
        h.engine.on_actions_complete(CTX, ids + ["no-such-action"], results + [ActionResult()])
    assert [h.execution(w)["state"] for w in (first, second)] == ["SUCCESS", "SUCCESS"]
    assert result_of(h.task(first, "t")) == [0, 1] and result_of(h.task(second, "t")) == [2]
    h.engine.on_actions_complete(CTX, ids, [ActionResult(data="late")] * 3)
    assert result_of(h.task(first, "t")) == [0, 1]
