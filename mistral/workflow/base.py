"""The values a controller reads and returns: immutable snapshots, no rows, no I/O.

* :class:`TaskOutcome`  a task that just reached SUCCESS / ERROR / CANCELLED, with the
  data its transitions are evaluated against (inbound context + published values);
* :class:`JoinState`    the counters of a join task that exists (or not) in this execution;
* :class:`FlowState`    the small per-execution bookkeeping a controller keeps between
  events (dead-path counters, which tracked tasks fired, reverse-workflow progress),
  serialised into the workflow execution's runtime context;
* :class:`Decision`     the commands to apply, the new ``FlowState`` and whether the
  outcome's error is handled by a transition.

``Evaluator`` is how a controller evaluates conditions and messages: the engine passes
one that knows the expression language and the execution's functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from mistral.workflow.commands import Command

#: ``evaluate(value, data)``: value may hold expressions; returns the evaluated value.
Evaluator = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class TaskOutcome:
    name: str
    task_ex_id: str
    state: str
    ctx: Mapping[str, Any] = field(default_factory=dict)
    state_info: str | None = None


@dataclass(frozen=True)
class JoinState:
    """``status``: 'none' (no row yet), 'waiting' (row in WAITING) or 'done' (ran or failed)."""

    arrived: int = 0
    dead: int = 0
    status: str = "none"
    #: the inbound tasks whose path to the join is dead (for Mistral 23's message)
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowState:
    dead: Mapping[str, int] = field(default_factory=dict)
    fired: frozenset[str] = frozenset()
    succeeded: frozenset[str] = frozenset()
    target: str | None = None
    #: reverse workflows with transitions (converted v1 workbooks): tasks wanted beyond
    #: what the target requires
    wanted: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.dead:
            d["dead"] = dict(self.dead)
        if self.fired:
            d["fired"] = sorted(self.fired)
        if self.succeeded:
            d["succeeded"] = sorted(self.succeeded)
        if self.target is not None:
            d["target"] = self.target
        if self.wanted:
            d["wanted"] = sorted(self.wanted)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "FlowState":
        d = d or {}
        return cls(
            dead=dict(d.get("dead") or {}),
            fired=frozenset(d.get("fired") or ()),
            succeeded=frozenset(d.get("succeeded") or ()),
            target=d.get("target"),
            wanted=frozenset(d.get("wanted") or ()),
        )


@dataclass(frozen=True)
class Decision:
    commands: tuple[Command, ...] = ()
    flow: FlowState = field(default_factory=FlowState)
    error_handled: bool = False


def truthy(value: Any) -> bool:
    """Mistral's truthiness for transition conditions (YAQL/Jinja results)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "none", "null", "0")
    return bool(value)
