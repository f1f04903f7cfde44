"""The action model: what a Python action is and what it is handed when it runs.

An action class takes its input as constructor keyword arguments (the signature *is*
the input schema, as in Mistral), and ``run(context)`` returns a plain result or an
``ActionResult`` (for errors as values). ``is_sync()`` False means the result arrives
later through the API (``PUT /v2/action_executions/<id>``). ``cancel()`` asks a running
action to stop early; actions that block should honour it.
"""

from __future__ import annotations

import functools
import inspect
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mistral.context import RequestContext
from mistral.engine.interface import ActionResult
from mistral.utils.egress import EgressPolicy

__all__ = ["Action", "ActionContext", "ActionResult", "ActionSettings", "input_signature", "validate_input"]


DEFAULT_REGION_MODULES = ("nova", "glance", "heat", "neutron", "cinder", "trove", "ironic",
                          "designate", "tacker", "aodh", "gnocchi")


@dataclass(frozen=True)
class OpenStackSettings:
    """``[openstack_actions]`` as plain values (mistral-extra's option names)."""

    endpoint_type: str = "public"
    modules_support_region: tuple[str, ...] = DEFAULT_REGION_MODULES
    default_region: str | None = None
    timeout: float = 60.0  # seconds per HTTP request, and never past the action's timeout
    verify: bool | str = True


@dataclass(frozen=True)
class ActionSettings:
    """The configuration actions see, as plain values (built by the composition root).

    ``http``: the ``[action_std_http]`` policy of std.http / std.mistral_http; the
    default is Mistral's (loopback and link-local denied). ``js_*``: std.javascript.
    """

    http: EgressPolicy = field(default_factory=EgressPolicy)
    # std.javascript: [DEFAULT] js_implementation (checked at start), and the bounds of
    # every script: seconds (never past the action's timeout) and V8 heap bytes
    js_implementation: str = "py_mini_racer"
    js_time_limit: float = 60.0
    js_memory_limit: int = 256 * 1024 * 1024
    # the generated OpenStack actions: [openstack_actions]
    openstack: OpenStackSettings = field(default_factory=OpenStackSettings)


@dataclass(frozen=True)
class ActionContext:
    """Who runs the action and for which execution (``execution_context`` of the request)."""

    request: RequestContext = field(default_factory=RequestContext)
    action_execution_id: str | None = None
    task_execution_id: str | None = None
    workflow_execution_id: str | None = None
    workflow_name: str | None = None
    callback_url: str | None = None
    extra: dict = field(default_factory=dict)
    # time.monotonic() at which the executor gives up on the action (its timeout), or None
    deadline: float | None = None

    def remaining(self, default: float | None = None) -> float | None:
        """Seconds left before the deadline (at least a small positive value), bounded
        by ``default`` when given; ``default`` itself when the action has no timeout."""
        if self.deadline is None:
            return default
        left = max(self.deadline - time.monotonic(), 0.01)
        return left if default is None else min(left, default)

    @classmethod
    def build(cls, request: RequestContext, action_ex_id: str | None, execution: dict,
              deadline: float | None = None) -> "ActionContext":
        known = {"task_execution_id", "workflow_execution_id", "workflow_name", "callback_url"}
        return cls(
            request=request,
            action_execution_id=action_ex_id,
            task_execution_id=execution.get("task_execution_id"),
            workflow_execution_id=execution.get("workflow_execution_id"),
            workflow_name=execution.get("workflow_name"),
            callback_url=execution.get("callback_url")
            or (f"/v2/action_executions/{action_ex_id}" if action_ex_id else None),
            extra={k: v for k, v in execution.items() if k not in known},
            deadline=deadline,
        )


def raised_error(action: Any, action_ex_id: str | None, error: BaseException) -> str:
    """The error of an action whose ``run`` raised, worded as Mistral 23's executor words
    it (the action as its ``repr``; the exception's own text)."""
    return (f"The action raised an exception [action={action!r}, action_ex_id={action_ex_id}, "
            f"msg='{error}']")


class Action:
    """Base class of Python actions. Subclasses define ``__init__(self, <inputs>)`` and ``run``."""

    description: str = ""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def run(self, context: ActionContext) -> Any:
        raise NotImplementedError

    def is_sync(self) -> bool:
        return True

    def configure(self, settings: ActionSettings) -> None:
        """Take the service's settings; the registry calls it on every action it builds."""

    def cancel(self) -> None:
        """Ask the action to stop; ``run`` of a blocking action should notice and return."""
        self._cancelled_event().set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled_event().is_set()

    def wait_cancelled(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cancelled meanwhile."""
        return self._cancelled_event().wait(seconds)

    def _cancelled_event(self) -> threading.Event:
        # subclasses that forget super().__init__() still get a working cancel
        ev = self.__dict__.get("_cancelled")
        if ev is None:
            ev = self.__dict__.setdefault("_cancelled", threading.Event())
        return ev


@functools.lru_cache(maxsize=4096)
def _signature(action_cls: type[Action]) -> inspect.Signature:
    """The constructor's signature, read once per class (every action built reads it)."""
    return inspect.signature(action_cls.__init__)


def _parameters(action_cls: type[Action]) -> list[inspect.Parameter]:
    return [
        p for name, p in _signature(action_cls).parameters.items()
        if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _accepts_any(action_cls: type[Action]) -> bool:
    return any(p.kind is p.VAR_KEYWORD for p in _signature(action_cls).parameters.values())


def input_signature(action_cls: type[Action]) -> str:
    """Mistral's input string: ``"url, method=\\"GET\\", params=null"`` (defaults as JSON)."""
    parts = []
    for p in _parameters(action_cls):
        if p.default is inspect.Parameter.empty:
            parts.append(p.name)
        else:
            try:
                parts.append(f"{p.name}={json.dumps(p.default)}")
            except (TypeError, ValueError):
                parts.append(f"{p.name}={p.default!r}")
    return ", ".join(parts)


def input_problems(given: Iterable[str], declared: Iterable[str] | None,
                   required: Iterable[str]) -> list[str]:
    """What is wrong with an action's input: unexpected names (unless ``declared`` is None,
    meaning any name is accepted), then missing required ones. Empty when it is fine."""
    given = set(given)
    problems = []
    unexpected = [] if declared is None else sorted(given - set(declared))
    missing = [n for n in required if n not in given]
    if unexpected:
        problems.append("unexpected parameters: " + ", ".join(unexpected))
    if missing:
        problems.append("missing parameters: " + ", ".join(missing))
    return problems


def validate_input(action_name: str, action_cls: type[Action], action_input: dict) -> None:
    """Raise ``InputError`` naming every unexpected and missing parameter."""
    from mistral.exceptions import InputError

    params = _parameters(action_cls)
    problems = input_problems(
        action_input,
        None if _accepts_any(action_cls) else [p.name for p in params],
        [p.name for p in params if p.default is inspect.Parameter.empty],
    )
    if problems:
        raise InputError(
            f"Invalid input for action {action_name} ({'; '.join(problems)}); "
            f"expected: {input_signature(action_cls) or '(no input)'}"
        )
