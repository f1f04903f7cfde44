"""Entry points of the pure workflow controller, dispatched by workflow type.

* :func:`start`            → the commands that start an execution;
* :func:`on_task_complete` → the commands that follow a task's outcome;
* :func:`final_state`      → the state (and why) of an execution with no active task left.

Nothing here does I/O: the engine loads a snapshot, calls these, applies the commands.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from mistral.workflow import direct, reverse, states
from mistral.workflow.graph import graph_of
from mistral.workflow.base import (
    Decision,
    Evaluator,
    FlowState,
    JoinState,
    TaskOutcome,
)

REVERSE = "reverse"
DIRECT = "direct"


def workflow_type(spec: Any) -> str:
    return getattr(spec, "type", None) or DIRECT


def start(spec: Any, ctx: Mapping[str, Any], task_name: str | None = None) -> Decision:
    if workflow_type(spec) == REVERSE:
        return reverse.start(spec, ctx, task_name)
    return direct.start(spec, ctx)


def on_task_complete(
    spec: Any,
    outcome: TaskOutcome,
    joins: Mapping[str, JoinState],
    flow: FlowState,
    evaluate: Evaluator,
) -> Decision:
    if workflow_type(spec) == REVERSE:
        return reverse.on_task_complete(spec, outcome, flow, evaluate)
    return direct.on_task_complete(spec, outcome, joins, flow, evaluate)


def join_targets(spec: Any, task_name: str) -> tuple[str, ...]:
    """Join tasks a completion of ``task_name`` may touch (directly or via dead paths).

    The engine loads the :class:`JoinState` of exactly these before routing.
    """
    if workflow_type(spec) == REVERSE:
        return ()
    return graph_of(spec).joins_reachable_from(task_name)


def final_state(
    unhandled_errors: Sequence[tuple[str, str, str | None]],
    cancelled: Sequence[str] = (),
    units: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, str | None]:
    """State of a finished execution from its unhandled ERROR tasks ``(name, id, info)``.

    The message is Mistral 23's: ``Failure caused by error in tasks: t1`` and a block per
    task (in name order) with its id and what went wrong, then one line per failed action
    or subworkflow of the task (``units``: the lines of each task id).
    """
    if unhandled_errors:
        failed = sorted(unhandled_errors, key=lambda e: e[0])
        names = ", ".join(dict.fromkeys(n for n, _, _ in failed))
        text = f"Failure caused by error in tasks: {names}\n"
        for name, task_ex_id, info in failed:
            text += f"\n  {name} [task_ex_id={task_ex_id}] -> {info or 'Unknown error'}\n"
            text += "".join(f"    {line}\n" for line in (units or {}).get(task_ex_id, ()))
        return states.ERROR, text
    if cancelled:
        names = ", ".join(dict.fromkeys(cancelled))
        return states.CANCELLED, f"Cancelled tasks: {names}"
    return states.SUCCESS, None
