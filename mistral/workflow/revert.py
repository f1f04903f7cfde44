"""Revert (ours, after TaskFlow): undo what a failing execution's tasks did, newest first.

When a workflow with ``revert-on-error: true`` would end in ERROR (or when a finished
ERROR or CANCELLED execution is reverted on request), :func:`plan` is given the task
executions that ran and returns :class:`~mistral.workflow.commands.RevertTask` commands;
each revert that finishes goes through :func:`on_revert_done`, which returns the next
ones, and finally :class:`~mistral.workflow.commands.EndRevert`.

Which tasks: those that *caused* the failure (an unhandled error, or the task whose
``fail`` command ended the workflow) and every task that ended SUCCESS, when the task
has a ``revert``. A task execution that is already reverted (an earlier revert of the
same execution) is not reverted again.

In which order: every task execution carries two numbers of its execution's completion
counter, ``started`` (how many tasks had completed when it was launched) and
``finished`` (its own completion's number). Task A ran *after* task B when
``A.started >= B.finished``. A revert starts once the reverts of every task that ran
after its task have finished, so a chain is undone in reverse order and tasks whose runs
overlapped (parallel branches) are undone in parallel. The tasks that caused the failure
are reverted first of all. The rule needs no graph: B may start when
``B.finished > max(started of every revert not finished yet)``.

A failed revert stops the reverting: reverts already running finish, no other one
starts (undoing earlier steps on top of a half-undone later one is what TaskFlow refuses
too), and the execution ends naming the failed revert and the tasks left as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from mistral.lang.specs import REVERT_PREFIX
from mistral.workflow.commands import Command, EndRevert, RevertTask


@dataclass(frozen=True)
class RanTask:
    """A finished task execution as the planner sees it."""

    task_ex_id: str
    name: str
    started: int
    finished: int
    failed: bool = False  # it caused the failure: reverted first

    def to_list(self) -> list[Any]:
        return [self.task_ex_id, self.name, self.started, self.finished, self.failed]

    @classmethod
    def from_list(cls, v: Sequence[Any]) -> "RanTask":
        return cls(str(v[0]), str(v[1]), int(v[2]), int(v[3]), bool(v[4]))


@dataclass(frozen=True)
class FailedRevert:
    task: RanTask
    revert_ex_id: str
    info: str


@dataclass(frozen=True)
class RevertState:
    """The progress of one revert, kept in the execution's runtime context."""

    failure: str
    end_state: str
    pending: tuple[RanTask, ...] = ()
    running: tuple[RanTask, ...] = ()
    reverted: tuple[RanTask, ...] = ()
    failed: tuple[FailedRevert, ...] = ()
    done: bool = False

    @property
    def active(self) -> bool:
        return not self.done

    def reverted_ids(self) -> frozenset[str]:
        return frozenset(r.task_ex_id for r in self.reverted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "failure": self.failure, "end_state": self.end_state,
            "pending": [r.to_list() for r in self.pending],
            "running": [r.to_list() for r in self.running],
            "reverted": [r.to_list() for r in self.reverted],
            "failed": [[f.task.to_list(), f.revert_ex_id, f.info] for f in self.failed],
            "done": self.done,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RevertState":
        return cls(
            failure=str(d.get("failure") or ""), end_state=str(d.get("end_state") or "ERROR"),
            pending=tuple(RanTask.from_list(v) for v in d.get("pending") or ()),
            running=tuple(RanTask.from_list(v) for v in d.get("running") or ()),
            reverted=tuple(RanTask.from_list(v) for v in d.get("reverted") or ()),
            failed=tuple(FailedRevert(RanTask.from_list(t), str(i), str(why))
                         for t, i, why in d.get("failed") or ()),
            done=bool(d.get("done")),
        )


@dataclass(frozen=True)
class RevertDecision:
    commands: tuple[Command, ...] = ()
    state: RevertState | None = None  # None: nothing to revert


def revertible(spec: Any, name: str) -> bool:
    task = spec.tasks.get(name)
    return task is not None and getattr(task, "revert", None) is not None


def plan(spec: Any, ran: Sequence[RanTask], failure: str, end_state: str,
         previous: RevertState | None = None) -> RevertDecision:
    """Start reverting: the tasks of ``ran`` that have a revert, minus those ``previous``
    (an earlier revert of this execution) already reverted. Nothing to revert: no
    commands and no state."""
    done_before = previous.reverted_ids() if previous is not None else frozenset()
    todo = [r for r in ran if r.task_ex_id not in done_before and revertible(spec, r.name)]
    if not todo:
        return RevertDecision()
    todo.sort(key=lambda r: (not r.failed, -r.finished, r.task_ex_id))
    state = RevertState(failure, end_state, pending=tuple(todo),
                        reverted=previous.reverted if previous is not None else ())
    return _advance(state)


def on_revert_done(state: RevertState, task_ex_id: str, ok: bool, revert_ex_id: str,
                   info: str | None = None) -> RevertDecision:
    """The revert of task execution ``task_ex_id`` finished (``ok``: it succeeded)."""
    entry = next((r for r in state.running if r.task_ex_id == task_ex_id), None)
    if entry is None or state.done:
        return RevertDecision((), state)
    running = tuple(r for r in state.running if r is not entry)
    if ok:
        state = _replace(state, running=running, reverted=state.reverted + (entry,))
    else:
        failed = FailedRevert(entry, revert_ex_id, info or "Unknown error")
        state = _replace(state, running=running, failed=state.failed + (failed,))
    return _advance(state)


def abort(state: RevertState) -> RevertState:
    """The execution ended while reverting: what had not finished is left not reverted."""
    return _replace(state, pending=state.running + state.pending, running=(), done=True)


def _replace(state: RevertState, **changes: Any) -> RevertState:
    values = {f: getattr(state, f) for f in RevertState.__dataclass_fields__}
    values.update(changes)
    return RevertState(**values)


def _advance(state: RevertState) -> RevertDecision:
    ready: list[RanTask] = []
    if not state.failed:
        unfinished = state.pending + state.running
        bar = max((math.inf if r.failed else r.started) for r in unfinished) \
            if unfinished else -math.inf
        ready = [r for r in state.pending if r.failed or r.finished > bar]
    if ready:
        pending = tuple(r for r in state.pending if r not in ready)
        state = _replace(state, pending=pending, running=state.running + tuple(ready))
        return RevertDecision(tuple(RevertTask(r.name, r.task_ex_id) for r in ready), state)
    if state.running:
        return RevertDecision((), state)
    state = _replace(state, done=True)
    return RevertDecision((EndRevert(state.end_state, summary(state)),), state)


def summary(state: RevertState) -> str:
    """The execution's final ``state_info``: the failure, then what the revert did."""
    lines = [state.failure.rstrip("\n"), ""]
    names = ", ".join(r.name for r in state.reverted)
    if not state.failed:
        lines.append(f"Reverted, every revert succeeded: {names}")
        return "\n".join(lines) + "\n"
    lines.append("Revert failed, tasks are left partly reverted:")
    for f in state.failed:
        lines.append(f"  {REVERT_PREFIX}{f.task.name} [task_ex_id={f.revert_ex_id}] -> {f.info}")
    lines.append(f"Reverted: {names or 'nothing'}")
    left = ", ".join(r.name for r in state.pending + tuple(f.task for f in state.failed))
    lines.append(f"Not reverted: {left}")
    return "\n".join(lines) + "\n"


