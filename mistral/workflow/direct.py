"""The direct-workflow controller: follow on-success / on-error / on-complete / on-skip.

A task a user skipped (SKIPPED) follows its ``on-skip`` clause, or ``on-success`` when no
``on-skip`` transition is taken, and never ``on-complete`` (Mistral 23's rules).

Joins are decided with counters only. Each inbound task of a join, when it finishes,
adds one *arrival* (it routed to the join) or one *dead path* (it finished without
routing there). A task from which a join is reachable and which can no longer run
(every inbound path dead and it never fired) passes a dead path on to its own
targets. A join of ``need`` arrivals over ``n`` inbound tasks runs when
``arrived >= need`` and fails when ``n - dead < need``; no sibling is ever rescanned.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Mapping

from mistral.workflow import states
from mistral.workflow.base import Decision, Evaluator, FlowState, JoinState, TaskOutcome, truthy
from mistral.workflow.commands import (
    ENGINE_COMMANDS,
    Command,
    FailTask,
    RunTask,
    WaitForJoin,
)
from mistral.workflow.graph import (
    COMPLETE_CLAUSE,
    ERROR_CLAUSE,
    SKIP_CLAUSE,
    SUCCESS_CLAUSE,
    FlowGraph,
    graph_of,
    is_task_target,
    transitions_of,
)

_CLAUSES_BY_STATE: dict[str, tuple[str, ...]] = {
    states.SUCCESS: (SUCCESS_CLAUSE, COMPLETE_CLAUSE),
    states.ERROR: (ERROR_CLAUSE, COMPLETE_CLAUSE),
    states.SKIPPED: (SKIP_CLAUSE,),
}


def start(spec: Any, ctx: Mapping[str, Any]) -> Decision:
    """Commands that start a direct workflow: run every task nobody transitions to."""
    graph = graph_of(spec)
    cmds = tuple(RunTask(name, dict(ctx)) for name in graph.start_tasks)
    fired = frozenset(n for n in graph.start_tasks if n in graph.tracked)
    return Decision(commands=cmds, flow=FlowState(fired=fired))


def on_task_complete(
    spec: Any,
    outcome: TaskOutcome,
    joins: Mapping[str, JoinState],
    flow: FlowState,
    evaluate: Evaluator,
) -> Decision:
    """Route a finished task: evaluate its clauses, then arrive at targets or mark them dead."""
    graph = graph_of(spec)
    task = spec.tasks[outcome.name]
    taken: list[tuple[str, Any]] = []
    handled = False
    for clause in _CLAUSES_BY_STATE.get(outcome.state, ()):
        for tr in transitions_of(task, clause):
            if tr.condition is None or truthy(evaluate(tr.condition, outcome.ctx)):
                taken.append((clause, tr))
                # As Mistral 23: only an on-error transition handles an error; a failed
                # task with on-complete alone runs it and the workflow still ends ERROR.
                handled = handled or clause == ERROR_CLAUSE
    if outcome.state == states.SKIPPED and not taken:
        taken = [(SUCCESS_CLAUSE, tr) for tr in transitions_of(task, SUCCESS_CLAUSE)
                 if tr.condition is None or truthy(evaluate(tr.condition, outcome.ctx))]
    cmds: list[Command] = []
    live: dict[str, str] = {}  # target -> the clause that first took it (Mistral's "event")
    for clause, tr in taken:
        if is_task_target(tr.target):
            live.setdefault(tr.target, clause.replace("_", "-"))
        else:
            if tr.target == "noop":
                continue
            msg = (tr.params or {}).get("msg")
            if msg is not None:
                msg = evaluate(msg, outcome.ctx)
                msg = None if msg is None else str(msg)
            cmds.append(ENGINE_COMMANDS[tr.target](msg=msg, task_name=outcome.name))
    walker = _Walker(graph, joins, flow)
    for target, event in live.items():
        walker.arrive(target, outcome.ctx, outcome.task_ex_id, alive=True, event=event,
                      source=outcome.name)
    for target in sorted(graph.outbound.get(outcome.name, ())):
        if target not in live and target in graph.tracked:
            walker.arrive(target, {}, outcome.task_ex_id, alive=False, source=outcome.name)
    handled = handled and outcome.state == states.ERROR
    return Decision(tuple(cmds) + tuple(walker.commands), walker.flow(), handled)


def unsatisfied_join_info(spec: Any, name: str, state: JoinState) -> str:
    """Why a join that waits while nothing else runs in its workflow can never start."""
    graph = graph_of(spec)
    lost = len(graph.inbound.get(name, ())) - state.arrived
    return _join_info(graph, name, state.arrived, lost)


def _join_info(graph: FlowGraph, name: str, arrived: int, dead: int) -> str:
    total = len(graph.inbound.get(name, ()))
    need = graph.join_need.get(name, total)
    return (
        f"Join of task '{name}' can not be satisfied: {arrived} of {need} required "
        f"inbound tasks arrived and {dead} of {total} will not reach it"
    )


class _Walker:
    """Applies arrivals and dead paths to local copies of the join and flow counters."""

    def __init__(self, graph: FlowGraph, joins: Mapping[str, JoinState], flow: FlowState):
        self.graph = graph
        self.joins = dict(joins)
        self.dead = dict(flow.dead)
        self.fired = set(flow.fired)
        self.succeeded = flow.succeeded
        self.target = flow.target
        self.commands: list[Command] = []

    def flow(self) -> FlowState:
        return FlowState(
            dead=self.dead, fired=frozenset(self.fired), succeeded=self.succeeded,
            target=self.target,
        )

    def arrive(self, target: str, ctx: Mapping[str, Any], trig: str | None, alive: bool,
               event: str | None = None, source: str = "") -> None:
        """``source``: the task whose path this is (a dead path passes through the tasks
        it makes unreachable: each is the source of the next)."""
        queue: deque[tuple[str, Mapping[str, Any], bool, str]] = deque(
            [(target, ctx, alive, source)])
        while queue:
            name, data, is_alive, src = queue.popleft()
            if self.graph.is_join(name):
                self._arrive_join(name, data, trig, is_alive, event, src)
            elif is_alive:
                self.commands.append(RunTask(name, dict(data), trig, event=event))
                if name in self.graph.tracked:
                    self.fired.add(name)
            elif self._mark_dead(name):
                for nxt in sorted(self.graph.outbound.get(name, ())):
                    if nxt in self.graph.tracked:
                        queue.append((nxt, {}, False, name))

    def _mark_dead(self, name: str) -> bool:
        """Count a dead path into ``name``; True when ``name`` became unreachable now."""
        count = self.dead.get(name, 0) + 1
        self.dead[name] = count
        return count == len(self.graph.inbound.get(name, ())) and name not in self.fired

    def _arrive_join(
        self, name: str, ctx: Mapping[str, Any], trig: str | None, alive: bool,
        event: str | None = None, source: str = "",
    ) -> None:
        js = self.joins.get(name, JoinState())
        if js.status == "done":
            return
        arrived = js.arrived + (1 if alive else 0)
        dead = js.dead + (0 if alive else 1)
        failed = js.failed if alive or not source or source in js.failed \
            else js.failed + (source,)
        need = self.graph.join_need[name]
        total = len(self.graph.inbound.get(name, ()))
        data = dict(ctx) if alive else {}
        if arrived >= need:
            self.commands.append(RunTask(name, data, trig if alive else None, join=True,
                                         event=event))
            self.joins[name] = JoinState(arrived, dead, "done")
        elif total - dead < need:
            self.commands.append(FailTask(name, self._failed_info(failed), data))
            self.joins[name] = JoinState(arrived, dead, "done", failed)
        else:
            self.commands.append(WaitForJoin(name, data, arrived, dead,
                                             trig if alive else None, event, failed))
            self.joins[name] = JoinState(arrived, dead, "waiting", failed)

    def _failed_info(self, failed: tuple[str, ...]) -> str:
        """Mistral 23's state info of a join that can no longer run: the inbound tasks
        that failed it, in the order the workflow defines them."""
        order = {n: i for i, n in enumerate(self.graph.inbound)}
        return "Failed by tasks: %s" % sorted(failed, key=lambda n: order.get(n, len(order)))
