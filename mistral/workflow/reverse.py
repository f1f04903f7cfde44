"""The reverse-workflow controller: run what ``task_name`` requires, transitively, then it.

A task starts once every task it ``requires`` has succeeded (or was skipped by a user,
which Mistral 23 leaves a dead end: here the workflow goes on); its inbound context is the
workflow context merged with what those tasks published (``RunTask.merge_from``).
Progress (which tasks succeeded / were started) lives in the ``FlowState``.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

from mistral import exceptions as exc
from mistral.workflow import states
from mistral.workflow.base import Decision, FlowState, TaskOutcome
from mistral.workflow.commands import Command, RunTask
from mistral.workflow.graph import graph_of, requires_of


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


def on_task_complete(spec: Any, outcome: TaskOutcome, flow: FlowState) -> Decision:
    if outcome.state not in (states.SUCCESS, states.SKIPPED) or flow.target is None:
        return Decision((), flow, False)
    graph = graph_of(spec)
    closure = _closure(spec, flow.target)
    succeeded = set(flow.succeeded) | {outcome.name}
    fired = set(flow.fired)
    cmds: list[Command] = []
    for dep in sorted(graph.dependents.get(outcome.name, ())):
        if dep not in closure or dep in fired:
            continue
        reqs = requires_of(spec.tasks[dep])
        if all(r in succeeded for r in reqs):
            cmds.append(RunTask(dep, {}, outcome.task_ex_id, merge_from=reqs))
            fired.add(dep)
    new_flow = FlowState(
        dead=flow.dead, fired=frozenset(fired), succeeded=frozenset(succeeded),
        target=flow.target,
    )
    return Decision(tuple(cmds), new_flow, False)
