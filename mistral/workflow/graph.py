"""The task graph a controller walks, compiled once per spec object and cached.

All reads of the spec's task attributes happen here (``transitions_of``, ``join_of``,
``requires_of``), so the controllers depend on a handful of names only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable

from mistral.workflow.commands import ENGINE_COMMANDS

SUCCESS_CLAUSE = "on_success"
ERROR_CLAUSE = "on_error"
COMPLETE_CLAUSE = "on_complete"
SKIP_CLAUSE = "on_skip"
CLAUSES = (SUCCESS_CLAUSE, ERROR_CLAUSE, COMPLETE_CLAUSE, SKIP_CLAUSE)


def transitions_of(task_spec: Any, clause: str) -> tuple[Any, ...]:
    """The normalized transitions of one clause (``on_success`` ...) of a task spec."""
    return tuple(getattr(task_spec, clause, None) or ())


def join_of(task_spec: Any) -> Any:
    """``None`` (no join), ``'all'``, ``'one'`` or a positive int."""
    return getattr(task_spec, "join", None)


def requires_of(task_spec: Any) -> tuple[str, ...]:
    req = getattr(task_spec, "requires", None) or ()
    if isinstance(req, str):
        return (req,)
    return tuple(req)


def is_task_target(target: str) -> bool:
    return target not in ENGINE_COMMANDS


@dataclass(frozen=True)
class FlowGraph:
    """Precomputed structure of a workflow's tasks.

    ``inbound[t]``: distinct tasks with a transition to ``t``. ``outbound[t]``: distinct
    task targets of ``t``. ``join_need[t]``: how many inbound arrivals satisfy join
    task ``t``. ``tracked``: joins and every task from which a join can be reached;
    only these take part in dead-path bookkeeping.
    """

    inbound: dict[str, frozenset[str]]
    outbound: dict[str, frozenset[str]]
    start_tasks: tuple[str, ...]
    join_need: dict[str, int]
    tracked: frozenset[str]
    dependents: dict[str, frozenset[str]]
    _joins_from: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def is_join(self, name: str) -> bool:
        return name in self.join_need

    def joins_reachable_from(self, name: str) -> tuple[str, ...]:
        """Join tasks a completion of ``name`` may touch, directly or via dead paths
        through tracked tasks; computed once per task and remembered."""
        hit = self._joins_from.get(name)
        if hit is not None:
            return hit
        out: set[str] = set()
        if name in self.tracked:
            seen: set[str] = set()
            stack = [name]
            while stack:
                for nxt in self.outbound.get(stack.pop(), ()):
                    if nxt in self.join_need:
                        out.add(nxt)
                    elif nxt in self.tracked and nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        result = tuple(sorted(out))
        self._joins_from[name] = result
        return result


def _join_need(join: Any, inbound_count: int) -> int:
    if join in (None, False):
        return 0
    if join == "all" or join is True:
        return max(inbound_count, 1)
    if join == "one":
        return 1
    try:
        return max(int(join), 1)
    except (TypeError, ValueError):
        return max(inbound_count, 1)


def _upstream(starts: Iterable[str], inbound: dict[str, frozenset[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        name = stack.pop()
        for pred in inbound.get(name, ()):
            if pred not in seen:
                seen.add(pred)
                stack.append(pred)
    return seen


def build_graph(spec: Any) -> FlowGraph:
    tasks = spec.tasks
    outbound: dict[str, set[str]] = {name: set() for name in tasks}
    inbound: dict[str, set[str]] = {name: set() for name in tasks}
    for name, task in tasks.items():
        for clause in CLAUSES:
            for tr in transitions_of(task, clause):
                if is_task_target(tr.target) and tr.target in tasks:
                    outbound[name].add(tr.target)
                    inbound[tr.target].add(name)
    frozen_in = {k: frozenset(v) for k, v in inbound.items()}
    join_need = {
        name: _join_need(join_of(task), len(frozen_in[name]))
        for name, task in tasks.items()
        if join_of(task) not in (None, False)
    }
    tracked = set(join_need) | _upstream(join_need, frozen_in)
    dependents: dict[str, set[str]] = {name: set() for name in tasks}
    for name, task in tasks.items():
        for req in requires_of(task):
            if req in dependents:
                dependents[req].add(name)
    return FlowGraph(
        inbound=frozen_in,
        outbound={k: frozenset(v) for k, v in outbound.items()},
        start_tasks=tuple(n for n in tasks if not frozen_in[n]),
        join_need=join_need,
        tracked=frozenset(tracked),
        dependents={k: frozenset(v) for k, v in dependents.items()},
    )


_CACHE: OrderedDict[int, tuple[Any, FlowGraph]] = OrderedDict()
_CACHE_SIZE = 512
_LOCK = threading.Lock()


def graph_of(spec: Any) -> FlowGraph:
    """The cached :class:`FlowGraph` of a spec object (keyed by identity; the spec is kept)."""
    key = id(spec)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is spec:
            _CACHE.move_to_end(key)
            return hit[1]
    graph = build_graph(spec)
    with _LOCK:
        _CACHE[key] = (spec, graph)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return graph
