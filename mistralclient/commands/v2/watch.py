"""Following an execution: ``execution-create --wait``, ``execution-watch`` (a live view of
its tasks, refreshed in place on a terminal, one line per change otherwise), and the text
of ``execution-get-report``. All of it is ours, beyond python-mistralclient."""

from __future__ import annotations

import argparse
import json

import time
from collections.abc import Iterator
from typing import Any, TextIO

from mistralclient.commands.v2 import base

END_STATES = ("SUCCESS", "ERROR", "CANCELLED", "PAUSED")
#: what ``execution-create --wait`` / ``--rehearse`` and ``execution-watch`` exit with, by
#: the state the execution ended in
EXIT_CODES = {"SUCCESS": 0, "ERROR": 1, "CANCELLED": 3, "PAUSED": 4}
COLOURS = {"SUCCESS": "32", "ERROR": "31", "CANCELLED": "33", "PAUSED": "33", "RUNNING": "36",
           "WAITING": "36", "RUNNING_DELAYED": "36", "IDLE": "37"}


def _pause(elapsed: float) -> None:
    """Poll quickly at first, then every 2 s."""
    time.sleep(min(2.0, 0.2 + elapsed / 10))


def wait_for_end(mistral: Any, ex_id: str, on_poll: Any = None) -> Any:
    """Poll the execution until it is in an end state (PAUSED counts: it needs someone)."""
    start = time.monotonic()
    while True:
        ex = mistral.executions.get(ex_id)
        if on_poll is not None:
            on_poll(ex)
        if ex.state in END_STATES:
            return ex
        _pause(time.monotonic() - start)


def use_colour(stream: TextIO) -> bool:
    import os

    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def paint(text: str, state: str, colour: bool) -> str:
    code = COLOURS.get(state)
    return "\033[%sm%s\033[0m" % (code, text) if colour and code else text


def items_progress(mistral: Any, task: Any) -> str:
    """``done/total items`` of a with-items task. The count of items comes from the task's
    runtime context (Mistral's ``with_items.count``; ours tells how many were launched),
    the finished ones from its action executions."""
    try:
        rc = json.loads(task.runtime_context) if isinstance(task.runtime_context, str) else task.runtime_context
    except ValueError:
        return ""
    if not isinstance(rc, dict) or not rc.get("with_items"):
        return ""
    total = rc["with_items"].get("count") if isinstance(rc["with_items"], dict) else None
    if total is None and task.state in ("SUCCESS", "ERROR", "CANCELLED"):
        total = rc.get("launched")
    actions = mistral.action_executions.list(task.id, fields=["state"])
    done = sum(1 for a in actions if a.state in ("SUCCESS", "ERROR", "CANCELLED"))
    failed = sum(1 for a in actions if a.state == "ERROR")
    text = "%s/%s items" % (done, total) if total is not None else "%s items done" % done
    return text + (", %s failed" % failed if failed else "")


def snapshot(mistral: Any, ex_id: str) -> tuple[Any, list[tuple[str, str, str, str]]]:
    """The execution and one (name, state, duration, progress) per task, oldest first."""
    ex = mistral.executions.get(ex_id)
    rows = []
    tasks = mistral.tasks.list(ex_id, sort_keys="created_at", sort_dirs="asc",
                               fields=["name", "state", "started_at", "finished_at", "runtime_context"])
    for t in tasks:
        progress = items_progress(mistral, t) if t.state not in ("IDLE",) else ""
        rows.append((t.name, t.state, base.get_duration_str(t.started_at, t.finished_at), progress))
    return ex, rows


def render(ex: Any, rows: list[tuple[str, str, str, str]], colour: bool) -> list[str]:
    width = max([len(r[0]) for r in rows] + [4])
    lines = ["workflow %s [%s] %s" % (ex.workflow_name, paint(ex.state, ex.state, colour), ex.id)]
    for name, state, duration, progress in rows:
        lines.append("  %s  %s  %s%s" % (name.ljust(width), paint(state.ljust(9), state, colour),
                                         duration.ljust(10), progress))
    if ex.state in END_STATES and ex.state_info:
        lines.append(" ".join(ex.state_info.split())[:200])
    return lines


def watch(mistral: Any, ex_id: str, out: TextIO) -> Any:
    """Follow the execution to its end; return its last state."""
    live = out.isatty()
    colour = use_colour(out)
    seen: dict[str, tuple] = {}
    drawn = 0
    start = time.monotonic()
    while True:
        ex, rows = snapshot(mistral, ex_id)
        if live:
            lines = render(ex, rows, colour)
            if drawn:
                out.write("\033[%dF\033[J" % drawn)  # back to the first line drawn, clear below
            out.write("\n".join(lines) + "\n")
            drawn = len(lines)
        else:
            key = ("workflow", ex.state)
            if seen.get("") != key:
                seen[""] = key
                out.write("workflow %s [%s] %s\n" % (ex.workflow_name, ex.state, ex.id))
            for name, state, duration, progress in rows:
                if seen.get(name) != (state, progress):
                    seen[name] = (state, progress)
                    out.write("task %s [%s]%s%s\n" % (name, state, " " + duration if duration else "",
                                                      " " + progress if progress else ""))
        out.flush()
        if ex.state in END_STATES:
            return ex
        _pause(time.monotonic() - start)


class Watch(base.Command):
    """Follow an execution live: its tasks appearing and finishing, with-items progress."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        ex = watch(base.client(self), parsed_args.id, self.app.stdout)
        return EXIT_CODES.get(ex.state, 1)


def report_lines(report: dict) -> Iterator[str]:
    """The text of ``execution-get-report``."""
    frame = "=" * 30
    yield "\nThe whole error of a task: mistral task-get <task id> -c 'State info'\n\n"
    yield "%s General Statistics %s\n\n" % (frame, frame)
    stat = report.get("statistics") or {}
    for state in ("SUCCESS", "ERROR", "RUNNING", "IDLE", "PAUSED"):
        yield "Number of tasks in %s state: %s\n" % (state, stat.get("%s_tasks_count" % state.lower(), 0))
    yield "\n"
    if "estimated_time" in stat:
        yield "Estimated time (seconds) for the execution to finish: %s\n\n" % stat["estimated_time"]
    root = report.get("root_workflow_execution")
    if root:
        yield "%s Workflow Execution Tree %s\n\n" % (frame, frame)
        yield from _workflow_lines(root, 0)


def _line(text: str, level: int) -> str:
    return "%s%s\n" % (" " * 4 * level, text)


def _error(entry: dict, level: int) -> Iterator[str]:
    if entry.get("state") == "ERROR" and entry.get("state_info"):
        yield _line("(error info: %s...)" % " ".join(str(entry["state_info"])[:100].split()), level)


def _workflow_lines(wf: dict, level: int) -> Iterator[str]:
    yield _line("workflow '%s' [%s] %s" % (wf.get("name"), wf.get("state"), wf.get("id")), level)
    for task in wf.get("task_executions", []):
        yield _line("task '%s' [%s] %s" % (task.get("name"), task.get("state"), task.get("id")), level + 1)
        if "retry_count" in task:
            yield _line("(retry count: %s)" % task["retry_count"], level + 1)
        yield from _error(task, level + 1)
        for action in task.get("action_executions", []):
            yield _line("action '%s' [%s] %s" % (action.get("name"), action.get("state"), action.get("id")),
                        level + 2)
            yield from _error(action, level + 2)
        for sub in task.get("workflow_executions", []):
            yield from _workflow_lines(sub, level + 2)


