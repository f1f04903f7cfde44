"""Huge, infinite or NaN delays, timeouts and counts fail the task with a clear message.

``wait-before: 99999999999999999999999`` (or an expression giving it) overflowed the
timer's datetime: a 500 on start, or — for a later task — an engine event that could
never commit, leaving the execution RUNNING forever.
"""

from __future__ import annotations

import pytest

from tests.functional.engine.harness import Harness

HUGE = "99999999999999999999999999999"
CASES = {
    "wait-before literal": ("t:\n      action: std.noop\n      wait-before: " + HUGE, "wait-before"),
    "wait-before from input": ("t:\n      action: std.noop\n      wait-before: <% $.n %>",
                               "wait-before"),
    "timeout on a later task": ("a:\n      action: std.noop\n      on-success: [t]\n"
                                "    t:\n      action: std.noop\n      timeout: " + HUGE,
                                "timeout"),
    "wait-after": ("t:\n      action: std.noop\n      wait-after: <% $.n %>", "wait-after"),
    "retry delay": ("t:\n      action: std.fail\n      retry:\n        count: 2\n"
                    "        delay: " + HUGE, "retry.delay"),
    "infinite concurrency": ("t:\n      with-items: x in [1, 2]\n      action: std.noop\n"
                             "      concurrency: <% $.inf %>", "concurrency"),
    "NaN timeout": ("t:\n      action: std.noop\n      timeout: <% $.nan %>", "timeout"),
    "integer too large for a float": ("t:\n      action: std.noop\n"
                                      "      wait-before: <% $.giant %>", "wait-before"),
}


@pytest.mark.parametrize("label", sorted(CASES))
def test_out_of_range_number_fails_the_task_cleanly(harness: Harness, label: str) -> None:
    h = harness
    tasks, what = CASES[label]
    h.define("version: '2.0'\nnumbers:\n  input: [n, inf, nan, giant]\n  tasks:\n    "
             + tasks + "\n")
    ex = h.run("numbers", {"n": 10 ** 20, "inf": float("inf"), "nan": float("nan"),
                           "giant": 10 ** 400})
    assert ex["state"] == "ERROR", ex
    task = h.task(ex["id"], "t")
    assert task["state"] == "ERROR"
    assert f"'{what}' of task 't'" in task["state_info"], task["state_info"]


def test_a_long_but_representable_delay_still_waits(harness: Harness) -> None:
    h = harness
    h.define("version: '2.0'\nlong_wait:\n  tasks:\n    t:\n      action: std.noop\n"
             "      wait-before: 100000000\n")
    wf_id = h.start("long_wait")
    h.run_until_idle()
    assert h.task_states(wf_id) == {"t": "RUNNING_DELAYED"}
    h.engine.stop_workflow(None, wf_id, "CANCELLED")  # and it can be cancelled
    assert h.execution(wf_id)["state"] == "CANCELLED"
