"""Rehearse a workflow through the pure controller: no database, no actions.

Every task that is started finishes at once with the state the scenario gives it
(default SUCCESS) and publishes what the scenario says. Joins, flow state and the
final state are kept exactly as the engine keeps them, in memory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping

from mistral import expressions
from mistral.workflow import controller
from mistral.workflow.base import JoinState, TaskOutcome
from mistral.workflow.commands import (
    FailTask, FailWorkflow, PauseWorkflow, RunTask, SucceedWorkflow, WaitForJoin,
)


@dataclass
class Rehearsal:
    sequence: list[str] = field(default_factory=list)
    state: str = "RUNNING"
    state_info: str | None = None


def _evaluate(value: Any, data: Mapping[str, Any]) -> Any:
    return expressions.evaluate_recursively(value, data)


def rehearse(spec: Any, outcomes: Mapping[str, Any], wf_input: Mapping[str, Any] | None = None,
             task_name: str | None = None, max_steps: int = 1000) -> Rehearsal:
    r = Rehearsal()
    decision = controller.start(spec, dict(wf_input or {}), task_name)
    flow = decision.flow
    joins: dict[str, JoinState] = {}
    waiting_ctx: dict[str, dict] = {}
    queue: deque = deque(decision.commands)
    unhandled: list[tuple[str, str, str | None]] = []
    published: dict[str, dict] = {}
    done: deque = deque()  # finished tasks, routed after pending commands (as the engine)
    steps = 0
    while (queue or done) and r.state == "RUNNING":
        steps += 1
        if steps > max_steps:
            raise AssertionError("rehearsal did not finish")
        if not queue:
            name, state, ctx, info = done.popleft()
            d = controller.on_task_complete(
                spec, TaskOutcome(name, f"{name}-{steps}", state, ctx, info),
                joins, flow, _evaluate)
            flow = d.flow
            if state == "ERROR" and not d.error_handled:
                unhandled.append((name, f"{name}-{steps}", info))
            queue.extend(d.commands)
            continue
        cmd = queue.popleft()
        if isinstance(cmd, RunTask):
            ctx = {**waiting_ctx.pop(cmd.task_name, {}), **cmd.ctx}
            for req in cmd.merge_from:
                ctx.update(published.get(req, {}))
            if cmd.join:
                joins[cmd.task_name] = JoinState(status="done")
            r.sequence.append(cmd.task_name)
            spec_out = outcomes.get(cmd.task_name, "SUCCESS")
            state = spec_out if isinstance(spec_out, str) else spec_out.get("state", "SUCCESS")
            pub = {} if isinstance(spec_out, str) else dict(spec_out.get("publish") or {})
            published[cmd.task_name] = pub
            done.append((cmd.task_name, state, {**ctx, **pub}, None))
        elif isinstance(cmd, WaitForJoin):
            waiting_ctx.setdefault(cmd.task_name, {}).update(cmd.ctx)
            joins[cmd.task_name] = JoinState(cmd.arrived, cmd.dead, "waiting")
        elif isinstance(cmd, FailTask):
            joins[cmd.task_name] = JoinState(status="done")
            r.sequence.append(f"{cmd.task_name}!")
            done.append((cmd.task_name, "ERROR", dict(cmd.ctx), cmd.state_info))
        elif isinstance(cmd, FailWorkflow):
            r.state, r.state_info = "ERROR", cmd.msg
        elif isinstance(cmd, SucceedWorkflow):
            r.state = "SUCCESS"
        elif isinstance(cmd, PauseWorkflow):
            r.state = "PAUSED"
    if r.state == "RUNNING":
        for name, js in joins.items():
            if js.status == "waiting":
                unhandled.append((name, name, "join not satisfied"))
        r.state, r.state_info = controller.final_state(unhandled)
    return r
