"""Execution states as Mistral names them, and the legal transitions between them, as data.

Every state write in the engine goes through :func:`check_transition`, which raises
``InvalidStateTransitionError`` naming the kind of object, the old and the new state.

Workflow executions: IDLE → RUNNING → (PAUSED ⇄ RUNNING) → SUCCESS | ERROR | CANCELLED;
an ERROR (or CANCELLED) workflow goes back to RUNNING only through a rerun.

Task executions additionally know WAITING (a join waiting for its inbound tasks) and
RUNNING_DELAYED (a wait-before / wait-after / retry delay is pending), and SKIPPED: a task
in ERROR that a user skipped (``PUT /v2/tasks/<id>`` with ``state: SKIPPED``, as in Mistral
23); it is finished, and the workflow goes on along its ``on-skip`` (else ``on-success``)
clause.

Action executions additionally know DELAYED (accepted but not started yet).
"""

from __future__ import annotations

from mistral import exceptions as exc

IDLE = "IDLE"
WAITING = "WAITING"
RUNNING = "RUNNING"
RUNNING_DELAYED = "RUNNING_DELAYED"
DELAYED = "DELAYED"
PAUSED = "PAUSED"
SUCCESS = "SUCCESS"
ERROR = "ERROR"
CANCELLED = "CANCELLED"
SKIPPED = "SKIPPED"

WORKFLOW = "workflow"
TASK = "task"
ACTION = "action"

TERMINAL = frozenset({SUCCESS, ERROR, CANCELLED, SKIPPED})
#: Task states that still need the engine (the workflow is not done while one exists).
ACTIVE_TASK_STATES = frozenset({IDLE, WAITING, RUNNING, RUNNING_DELAYED, PAUSED})

_WORKFLOW_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({RUNNING, ERROR, CANCELLED}),
    RUNNING: frozenset({PAUSED, SUCCESS, ERROR, CANCELLED}),
    PAUSED: frozenset({RUNNING, ERROR, CANCELLED, SUCCESS}),
    SUCCESS: frozenset(),
    ERROR: frozenset({RUNNING}),
    CANCELLED: frozenset({RUNNING}),
}

_TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({RUNNING, RUNNING_DELAYED, WAITING, ERROR, CANCELLED}),
    WAITING: frozenset({IDLE, RUNNING, RUNNING_DELAYED, ERROR, CANCELLED}),
    RUNNING: frozenset({RUNNING_DELAYED, PAUSED, SUCCESS, ERROR, CANCELLED}),
    RUNNING_DELAYED: frozenset({RUNNING, SUCCESS, ERROR, CANCELLED, PAUSED}),
    PAUSED: frozenset({RUNNING, RUNNING_DELAYED, ERROR, CANCELLED}),
    SUCCESS: frozenset(),
    ERROR: frozenset({RUNNING, SKIPPED}),
    CANCELLED: frozenset({RUNNING}),
    SKIPPED: frozenset(),
}

_ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({RUNNING, DELAYED, ERROR, CANCELLED}),
    DELAYED: frozenset({RUNNING, ERROR, CANCELLED}),
    RUNNING: frozenset({PAUSED, SUCCESS, ERROR, CANCELLED}),
    PAUSED: frozenset({RUNNING, SUCCESS, ERROR, CANCELLED}),
    SUCCESS: frozenset(),
    ERROR: frozenset(),
    CANCELLED: frozenset(),
}

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    WORKFLOW: _WORKFLOW_TRANSITIONS,
    TASK: _TASK_TRANSITIONS,
    ACTION: _ACTION_TRANSITIONS,
}

WORKFLOW_STATES = frozenset(_WORKFLOW_TRANSITIONS)
TASK_STATES = frozenset(_TASK_TRANSITIONS)
ACTION_STATES = frozenset(_ACTION_TRANSITIONS)


def is_terminal(state: str | None) -> bool:
    return state in TERMINAL


def is_valid_transition(kind: str, old: str | None, new: str) -> bool:
    """True when ``old -> new`` is allowed for ``kind`` (staying in a state is allowed)."""
    table = TRANSITIONS[kind]
    if new not in table:
        return False
    if old is None or old == new:
        return True
    return new in table.get(old, frozenset())


def check_transition(kind: str, old: str | None, new: str, what: str = "") -> None:
    """Raise ``InvalidStateTransitionError`` unless ``old -> new`` is legal for ``kind``.

    ``kind`` is ``'workflow'``, ``'task'`` or ``'action'``; ``what`` names the object
    (e.g. ``"workflow execution 6f1c..."``) for the message.
    """
    if kind not in TRANSITIONS:
        raise ValueError(f"Unknown execution kind: {kind!r}")
    if is_valid_transition(kind, old, new):
        return
    name = what or f"{kind} execution"
    if new not in TRANSITIONS[kind]:
        raise exc.InvalidStateTransitionError(f"Unknown {kind} state '{new}' for {name}")
    raise exc.InvalidStateTransitionError(
        f"Can not change state of {name} from {old} to {new}"
    )
