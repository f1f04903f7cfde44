"""Commands: the protocol between the controller's decision and the engine's effect.

Each command is a frozen dataclass that round-trips through a plain dict
(``to_dict`` / :func:`from_dict`); the engine applies them with a
``{CommandType: handler}`` table. Commands carry names, ids and plain data, never
database rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping, Union


@dataclass(frozen=True)
class RunTask:
    """Start a new execution of ``task_name`` with ``ctx`` as its inbound context.

    ``triggered_by`` is the task execution id whose outcome caused it (None at start) and
    ``event`` the clause it took (``on-success``, ``on-error``, ``on-complete``, ``on-skip``);
    ``merge_from`` names tasks whose published data the engine merges into ``ctx``
    (reverse workflows); ``join`` says a WAITING join row may already exist.
    """

    task_name: str
    ctx: Mapping[str, Any] = field(default_factory=dict)
    triggered_by: str | None = None
    merge_from: tuple[str, ...] = ()
    join: bool = False
    event: str | None = None


@dataclass(frozen=True)
class WaitForJoin:
    """Record one more arrival (``alive``) or dead path at a join that is not yet satisfied."""

    task_name: str
    ctx: Mapping[str, Any] = field(default_factory=dict)
    arrived: int = 0
    dead: int = 0
    triggered_by: str | None = None
    event: str | None = None
    failed: tuple[str, ...] = ()  # the inbound tasks whose path is dead


@dataclass(frozen=True)
class FailTask:
    """Put ``task_name`` in ERROR without running it (e.g. a join that can never be satisfied)."""

    task_name: str
    state_info: str = ""
    ctx: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunExistingTask:
    """Run an existing task execution again (rerun); ``reset`` drops finished with-items."""

    task_ex_id: str
    reset: bool = True


@dataclass(frozen=True)
class FailWorkflow:
    """The ``fail`` engine command."""

    msg: str | None = None
    task_name: str | None = None


@dataclass(frozen=True)
class SucceedWorkflow:
    """The ``succeed`` engine command."""

    msg: str | None = None
    task_name: str | None = None


@dataclass(frozen=True)
class PauseWorkflow:
    """The ``pause`` engine command."""

    msg: str | None = None
    task_name: str | None = None


@dataclass(frozen=True)
class Noop:
    """Nothing to do (kept so a decision can say so explicitly)."""

    task_name: str | None = None


@dataclass(frozen=True)
class RevertTask:
    """Run the revert of task execution ``task_ex_id`` (of task ``task_name``) as a task
    execution of its own, named ``revert:<task_name>``."""

    task_name: str
    task_ex_id: str


@dataclass(frozen=True)
class EndRevert:
    """Every revert that was to run has finished: end the execution in ``state``."""

    state: str
    msg: str


Command = Union[
    RunTask, WaitForJoin, FailTask, RunExistingTask, FailWorkflow, SucceedWorkflow,
    PauseWorkflow, Noop, RevertTask, EndRevert,
]

COMMAND_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        RunTask, WaitForJoin, FailTask, RunExistingTask, FailWorkflow, SucceedWorkflow,
        PauseWorkflow, Noop, RevertTask, EndRevert,
    )
}

#: Engine commands a transition may name instead of a task.
ENGINE_COMMANDS: dict[str, type] = {
    "fail": FailWorkflow,
    "succeed": SucceedWorkflow,
    "pause": PauseWorkflow,
    "noop": Noop,
}


def to_dict(cmd: Command) -> dict[str, Any]:
    """A plain-dict form: ``{"type": "RunTask", ...fields}``."""
    d = asdict(cmd)
    for k, v in d.items():
        if isinstance(v, tuple):
            d[k] = list(v)
    d["type"] = type(cmd).__name__
    return d


def from_dict(d: Mapping[str, Any]) -> Command:
    """Rebuild a command from :func:`to_dict`'s output; unknown types raise ``ValueError``."""
    name = d.get("type")
    cls = COMMAND_TYPES.get(str(name))
    if cls is None:
        raise ValueError(f"Unknown command type: {name!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in d:
            value = d[f.name]
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)
