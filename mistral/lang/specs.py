"""Frozen spec objects: what a validated definition means, normalized.

Specs never mutate their input and expose plain attributes (no getters). ``to_dict`` returns
the normalized definition; ``WorkflowSpec.from_dict`` rebuilds a spec from it without
re-validating (the DB stores the dict, the cache rebuilds specs from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from mistral.lang.util import thaw

ENGINE_COMMANDS = frozenset({"fail", "succeed", "pause", "noop"})
DIRECT = "direct"
REVERSE = "reverse"

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


@dataclass(frozen=True, slots=True)
class InputParam:
    """One ``input`` entry: ``name`` or ``{name: default}``."""

    name: str
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True, slots=True)
class PublishSpec:
    """The ``publish:`` of an advanced ``on-*`` clause, by scope."""

    branch: Mapping[str, Any] = field(default_factory=_empty)
    global_: Mapping[str, Any] = field(default_factory=_empty)
    atomic: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class Transition:
    """One target of an ``on-success`` / ``on-error`` / ``on-complete`` / ``on-skip`` clause.

    ``target`` is a task name or an engine command (``fail``, ``succeed``, ``pause``,
    ``noop``); ``condition`` the expression after ``task: <% ... %>`` (None = always);
    ``params`` the command parameters (``fail msg="..."``); ``publish`` the clause's
    advanced-form ``publish`` (the same object for every transition of one clause).
    """

    target: str
    condition: Any = None
    params: Mapping[str, Any] = field(default_factory=_empty)
    publish: PublishSpec | None = None

    @property
    def is_engine_command(self) -> bool:
        return self.target in ENGINE_COMMANDS


@dataclass(frozen=True, slots=True)
class RetrySpec:
    """``retry:`` — ints or expressions (strings). Ours beyond Mistral's: ``backoff``
    (None / ``'constant'``, or ``'exponential'``: ``delay`` doubles with each retry),
    ``max_delay`` (a cap on any delay) and ``jitter`` (the share of each delay drawn at
    random: a number in [0, 1], a boolean or an expression)."""

    count: int | str = 0
    delay: int | str = 0
    break_on: str | None = None
    continue_on: str | None = None
    backoff: str | None = None
    max_delay: int | str | None = None
    jitter: bool | float | str | None = None


#: the name of the task execution that reverts task ``t`` is ``revert:t``
REVERT_PREFIX = "revert:"


@dataclass(frozen=True, slots=True)
class RevertSpec:
    """``revert:`` of a task (ours): the action (inline parameters merged into ``input``)
    or workflow that undoes it, and a ``retry`` of its own (None: the task's)."""

    action: str | None = None
    workflow: str | None = None
    input: Mapping[str, Any] | str = field(default_factory=_empty)
    retry: RetrySpec | None = None


@dataclass(frozen=True, slots=True)
class WithItem:
    """One ``var in <source>`` clause of ``with-items``; ``source`` is an expression string
    or a literal list."""

    var: str
    source: Any


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task with the task-defaults of its workflow already applied."""

    name: str
    workflow_type: str = DIRECT
    description: str = ""
    tags: tuple[str, ...] = ()
    action: str | None = None
    workflow: str | None = None
    input: Mapping[str, Any] | str = field(default_factory=_empty)
    publish: Mapping[str, Any] = field(default_factory=_empty)
    publish_on_error: Mapping[str, Any] = field(default_factory=_empty)
    publish_on_skip: Mapping[str, Any] = field(default_factory=_empty)
    on_success: tuple[Transition, ...] = ()
    on_error: tuple[Transition, ...] = ()
    on_complete: tuple[Transition, ...] = ()
    on_skip: tuple[Transition, ...] = ()
    on_success_publish: PublishSpec | None = None
    on_error_publish: PublishSpec | None = None
    on_complete_publish: PublishSpec | None = None
    on_skip_publish: PublishSpec | None = None
    join: str | int | None = None
    with_items: tuple[WithItem, ...] = ()
    concurrency: int | str | None = None
    retry: RetrySpec | None = None
    wait_before: int | str | None = None
    wait_after: int | str | None = None
    timeout: int | str | None = None
    pause_before: bool | str = False
    fail_on: str | None = None
    keep_result: bool | str = True
    safe_rerun: bool | str = False
    target: str | None = None
    requires: tuple[str, ...] = ()
    revert: RevertSpec | None = None

    @property
    def is_workflow(self) -> bool:
        return self.workflow is not None

    @property
    def is_join(self) -> bool:
        return self.join is not None

    def transitions(self) -> tuple[Transition, ...]:
        """All transitions of the task, success then error then complete then skip."""
        return self.on_success + self.on_error + self.on_complete + self.on_skip


@dataclass(frozen=True, slots=True)
class WorkflowGraph:
    """The compiled shape of a workflow, computed once.

    Direct: ``start_tasks`` (tasks nobody transitions to), ``inbound[t]`` (distinct source
    tasks with a transition to ``t``, definition order; a join waits for these) and
    ``outbound[t]``. Reverse: ``requires[t]`` (effective requirements) and ``order`` (a
    topological order, dependencies first).
    """

    start_tasks: tuple[str, ...] = ()
    inbound: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    outbound: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    order: tuple[str, ...] = ()

    def requires_closure(self, target: str) -> tuple[str, ...]:
        """Reverse workflows: the tasks needed to run ``target`` (itself included),
        dependencies first."""
        needed: set[str] = set()
        stack = [target]
        while stack:
            t = stack.pop()
            if t in needed:
                continue
            needed.add(t)
            stack.extend(self.requires.get(t, ()))
        return tuple(t for t in self.order if t in needed)


@dataclass(frozen=True, slots=True)
class TaskDefaultsSpec:
    """``task-defaults`` as written (also already folded into every ``TaskSpec``)."""

    on_success: tuple[Transition, ...] = ()
    on_error: tuple[Transition, ...] = ()
    on_complete: tuple[Transition, ...] = ()
    on_skip: tuple[Transition, ...] = ()
    requires: tuple[str, ...] = ()
    retry: RetrySpec | None = None
    wait_before: int | str | None = None
    wait_after: int | str | None = None
    timeout: int | str | None = None
    pause_before: bool | str | None = None
    concurrency: int | str | None = None
    safe_rerun: bool | str | None = None
    fail_on: str | None = None


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    name: str
    type: str = DIRECT
    description: str = ""
    tags: tuple[str, ...] = ()
    input: tuple[InputParam, ...] = ()
    output: Any = None
    output_on_error: Any = None
    vars: Mapping[str, Any] = field(default_factory=_empty)
    task_defaults: TaskDefaultsSpec | None = None
    tasks: Mapping[str, TaskSpec] = field(default_factory=_empty)
    graph: WorkflowGraph = field(default_factory=WorkflowGraph)
    #: ours: seconds (or an expression) the whole execution may take
    timeout: int | str | None = None
    #: ours: a failing execution reverts its tasks first
    revert_on_error: bool = False
    #: ours: the task that runs the revert of task ``t``, by its name ``revert:t``: the
    #: revert's action or workflow with ``t``'s retry (or the revert's own), timeout,
    #: safe-rerun and target, and nothing else (no transitions, publish, with-items)
    reverts: Mapping[str, TaskSpec] = field(default_factory=_empty)
    source: Mapping[str, Any] = field(default_factory=_empty, repr=False, compare=False)

    def task_spec(self, name: str) -> TaskSpec:
        """A task of the workflow or the revert of one (``revert:<task>``); KeyError
        for neither."""
        found = self.tasks.get(name)
        return found if found is not None else self.reverts[name]

    def to_dict(self) -> dict[str, Any]:
        """The normalized definition: ``{'name': ..., <the workflow body>}``
        (``mistral.lang.workflow_from_dict`` rebuilds the spec)."""
        return {"name": self.name, **thaw(self.source)}


@dataclass(frozen=True, slots=True)
class WorkflowListSpec:
    """A workflow definition document: one or more workflows."""

    workflows: tuple[WorkflowSpec, ...]

    def get(self, name: str) -> WorkflowSpec | None:
        return next((w for w in self.workflows if w.name == name), None)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An ad-hoc action: ``base`` (an action name) called with ``base_input``."""

    name: str
    base: str
    base_input: Mapping[str, Any] | str = field(default_factory=_empty)
    input: tuple[InputParam, ...] = ()
    output: Any = None
    description: str = ""
    tags: tuple[str, ...] = ()
    source: Mapping[str, Any] = field(default_factory=_empty, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """``mistral.lang.action_from_dict`` rebuilds the spec."""
        return {"name": self.name, **thaw(self.source)}


@dataclass(frozen=True, slots=True)
class WorkbookSpec:
    """A workbook: workflows and actions under one name (their names are not prefixed here;
    the service stores them as ``<workbook>.<name>``)."""

    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    workflows: tuple[WorkflowSpec, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    source: Mapping[str, Any] = field(default_factory=_empty, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """``mistral.lang.workbook_from_dict`` rebuilds the spec."""
        return thaw(self.source)
