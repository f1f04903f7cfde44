"""The reverse-workflow controller: run what ``task_name`` requires, transitively, then it.

A task starts once every task it ``requires`` has succeeded (or was skipped by a user,
which Mistral 23 leaves a dead end: here the workflow goes on); its inbound context is the
workflow context merged with what those tasks published (``RunTask.merge_from``).
Progress (which tasks succeeded / were started) lives in the ``FlowState``.

Transitions: the v2 DSL refuses ``on-*`` in a reverse workflow, but a spec converted from
a 2014 (v1) workbook (``mistral.lang.v1``) has them, with v1's meaning: when the task
ends in that state, the named task is wanted too, with what it requires (its closure
joins ``FlowState.wanted``); a wanted task runs once its requirements have succeeded,
with the finished task's published values. Each task runs at most once; an ``on-error``
transition taken handles the task's error, as in a direct workflow (a skipped task
follows ``on-success``).
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

from mistral import exceptions as exc
from mistral.workflow import states
from mistral.workflow.base import Decision, Evaluator, FlowState, TaskOutcome, truthy
from mistral.workflow.commands import Command, RunTask
from mistral.workflow.graph import (
    COMPLETE_CLAUSE, ERROR_CLAUSE, SUCCESS_CLAUSE, graph_of, is_task_target, requires_of,
    transitions_of,
)

_CLAUSES = {states.SUCCESS: (SUCCESS_CLAUSE, COMPLETE_CLAUSE),
            states.ERROR: (ERROR_CLAUSE, COMPLETE_CLAUSE),
            states.SKIPPED: (SUCCESS_CLAUSE,)}
#: states in which a task counts as done for what requires it
_DONE = (states.SUCCESS, states.SKIPPED)


def required_closure(spec: Any, target: str) -> frozenset[str]:
    """``target`` and every task it requires, directly or not."""
    return _closure(spec, target)


@functools.lru_cache(maxsize=256)
def _closure_cached(spec_id: int, spec_ref: Any, target: str) -> frozenset[str]:
    tasks = spec_ref.tasks
    seen: set[str] = set()
    stack = [target]
    while stack:
        name = stack.pop()
        if name in seen or name not in tasks:
            continue
        seen.add(name)
        stack.extend(requires_of(tasks[name]))
    return frozenset(seen)


def _closure(spec: Any, target: str) -> frozenset[str]:
    try:
        return _closure_cached(id(spec), spec, target)
    except TypeError:  # an unhashable spec object: compute without the cache
        return _closure_cached.__wrapped__(id(spec), spec, target)


def start(spec: Any, ctx: Mapping[str, Any], task_name: str | None) -> Decision:
    if not task_name:
        raise exc.InputError(
            f"Reverse workflow '{spec.name}' needs a target task: pass params.task_name"
        )
    if task_name not in spec.tasks:
        raise exc.InputError(
            f"Task '{task_name}' not found in reverse workflow '{spec.name}' "
            f"(tasks: {', '.join(sorted(spec.tasks))})"
        )
    closure = _closure(spec, task_name)
    missing = sorted(
        r for n in closure for r in requires_of(spec.tasks[n]) if r not in spec.tasks
    )
    if missing:
        raise exc.InputError(
            f"Reverse workflow '{spec.name}' requires unknown tasks: {', '.join(missing)}"
        )
    starts = [n for n in spec.tasks if n in closure and not requires_of(spec.tasks[n])]
    cmds = tuple(RunTask(n, dict(ctx)) for n in starts)
    return Decision(cmds, FlowState(fired=frozenset(starts), target=task_name))


def _taken(spec: Any, outcome: TaskOutcome, evaluate: Evaluator | None
           ) -> tuple[list[str], bool]:
    """Task targets of the transitions the outcome takes, and whether its error is handled."""
    targets: list[str] = []
    handled = False
    task = spec.tasks[outcome.name]
    for clause in _CLAUSES.get(outcome.state, ()):
        for tr in transitions_of(task, clause):
            if not is_task_target(tr.target) or tr.target not in spec.tasks:
                continue
            if tr.condition is not None and (
                    evaluate is None or not truthy(evaluate(tr.condition, outcome.ctx))):
                continue
            targets.append(tr.target)
            handled = handled or clause == ERROR_CLAUSE
    return targets, handled


def on_task_complete(spec: Any, outcome: TaskOutcome, flow: FlowState,
                     evaluate: Evaluator | None = None) -> Decision:
    if flow.target is None:
        return Decision((), flow, False)
    targets, handled = _taken(spec, outcome, evaluate)
    if outcome.state not in _DONE and not targets:
        return Decision((), flow, False)
    graph = graph_of(spec)
    wanted = set(_closure(spec, flow.target)) | set(flow.wanted)
    added: set[str] = set()
    for target in targets:
        added |= set(_closure(spec, target)) - wanted
    wanted |= added
    succeeded = set(flow.succeeded) | ({outcome.name} if outcome.state in _DONE else set())
    fired = set(flow.fired)
    candidates: set[str] = set()
    if outcome.state in _DONE:
        candidates |= graph.dependents.get(outcome.name, frozenset())
    if added or targets:
        candidates |= {n for n in wanted if n not in fired}
    cmds: list[Command] = []
    for dep in sorted(candidates):
        if dep not in wanted or dep in fired:
            continue
        reqs = requires_of(spec.tasks[dep])
        if all(r in succeeded for r in reqs):
            merge = reqs if dep not in targets or outcome.name in reqs else (*reqs, outcome.name)
            cmds.append(RunTask(dep, {}, merge_from=tuple(merge)))  # no triggered_by: Mistral 23
            fired.add(dep)
    new_flow = FlowState(
        dead=flow.dead, fired=frozenset(fired), succeeded=frozenset(succeeded),
        target=flow.target, wanted=frozenset(flow.wanted) | frozenset(added),
    )
    return Decision(tuple(cmds), new_flow, handled)
