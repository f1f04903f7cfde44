"""Turning a validated definition (plain data) into frozen spec objects and graphs.

Everything here assumes the shape was validated (``validator.py``) or comes from
``to_dict()``; it does not report problems, it builds.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any, Mapping

from mistral.lang import specs as s
from mistral.lang.schema import TRANSITION_KEYS
from mistral.lang.util import InlineSyntaxError, clip, freeze, parse_inline, parse_params

# Matched against the stripped clause: greedy, so matching stays linear on any input.
WITH_ITEMS_RE = re.compile(r"([\w\-]+)\s+in\s+(.+)", re.DOTALL)
POLICY_KEYS = ("wait-before", "wait-after", "timeout", "pause-before", "concurrency",
               "safe-rerun", "fail-on")


def parse_input(items: Any) -> tuple[s.InputParam, ...]:
    out = []
    for item in items or ():
        if isinstance(item, Mapping):
            (name, default), = item.items()
            out.append(s.InputParam(str(name), freeze(default), True))
        else:
            out.append(s.InputParam(str(item)))
    return tuple(out)


def parse_publish_scopes(value: Mapping[str, Any] | None) -> s.PublishSpec | None:
    if value is None:
        return None
    return s.PublishSpec(
        branch=freeze(value.get("branch") or {}),
        global_=freeze(value.get("global") or {}),
        atomic=freeze(value.get("atomic") or {}),
    )


def parse_clause_items(items: Any, publish: s.PublishSpec | None = None
                       ) -> tuple[s.Transition, ...]:
    if items is None:
        return ()
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items:
        condition = None
        if isinstance(item, Mapping):
            (text, condition), = item.items()
        else:
            text = item
        target, params = parse_inline(str(text))
        out.append(s.Transition(target, condition, freeze(params), publish))
    return tuple(out)


def parse_clause(value: Any) -> tuple[tuple[s.Transition, ...], s.PublishSpec | None]:
    """An on-* value in any form → (transitions, advanced-form publish or None)."""
    if isinstance(value, Mapping):
        publish = parse_publish_scopes(value.get("publish")) if "publish" in value else None
        return parse_clause_items(value.get("next"), publish), publish
    return parse_clause_items(value), None


def parse_retry(value: Any) -> s.RetrySpec | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_params(value)
    return s.RetrySpec(
        count=value.get("count", 0),
        delay=value.get("delay", 0),
        break_on=value.get("break-on"),
        continue_on=value.get("continue-on"),
        backoff=value.get("backoff"),
        max_delay=value.get("max-delay"),
        jitter=value.get("jitter"),
    )


def parse_with_items(value: Any) -> tuple[s.WithItem, ...]:
    if value is None:
        return ()
    clauses = [value] if isinstance(value, str) else list(value)
    out = []
    for clause in clauses:
        m = WITH_ITEMS_RE.fullmatch(clause.strip())
        if m is None:
            raise InlineSyntaxError(f"'{clip(clause)}' is not of the form 'var in <% expression %>'")
        source: Any = m.group(2)
        if source.startswith("["):
            _, params = parse_inline("x v=" + source)
            source = freeze(params["v"])
        out.append(s.WithItem(m.group(1), source))
    return tuple(out)


def _action_and_input(body: Mapping[str, Any]) -> tuple[str | None, str | None, Any]:
    action = workflow = None
    params: dict[str, Any] = {}
    if body.get("action") is not None:
        action, params = parse_inline(body["action"])
    elif body.get("workflow") is not None:
        workflow, params = parse_inline(body["workflow"])
    else:
        action = "std.noop"
    task_input = body.get("input")
    if isinstance(task_input, str):
        return action, workflow, task_input
    merged = dict(task_input or {})
    merged.update(params)
    return action, workflow, freeze(merged)


def parse_revert(value: Any) -> s.RevertSpec | None:
    """``revert:`` in either form: ``std.echo output=x`` or ``{action|workflow, input,
    retry}``."""
    if value is None:
        return None
    body = {"action": value} if isinstance(value, str) else value
    action, workflow, revert_input = _action_and_input(body)
    return s.RevertSpec(action, workflow, revert_input, parse_retry(body.get("retry")))


def revert_task(task: s.TaskSpec) -> s.TaskSpec:
    """The task that runs ``task``'s revert (see ``WorkflowSpec.reverts``)."""
    r = task.revert
    assert r is not None
    return s.TaskSpec(
        name=s.REVERT_PREFIX + task.name, workflow_type=task.workflow_type,
        description=f"Revert of task '{task.name}'", action=r.action, workflow=r.workflow,
        input=r.input, retry=r.retry if r.retry is not None else task.retry,
        timeout=task.timeout, safe_rerun=task.safe_rerun, target=task.target,
    )


def _without(transitions: tuple[s.Transition, ...], name: str) -> tuple[s.Transition, ...]:
    return tuple(t for t in transitions if t.target != name)


def build_task(name: str, body: Mapping[str, Any], wf_type: str,
               defaults: Mapping[str, Any] | None) -> s.TaskSpec:
    defaults = defaults or {}
    action, workflow, task_input = _action_and_input(body)
    clauses: dict[str, Any] = {}
    for key in TRANSITION_KEYS:
        if key in body:
            clauses[key] = parse_clause(body[key])
        elif key in defaults:
            transitions, publish = parse_clause(defaults[key])
            clauses[key] = (_without(transitions, name), publish)
        else:
            clauses[key] = ((), None)
    policy = {k: body[k] if k in body else defaults.get(k) for k in POLICY_KEYS + ("retry",)}
    requires = _as_tuple(body.get("requires")) + tuple(
        r for r in _as_tuple(defaults.get("requires")) if r != name)
    return s.TaskSpec(
        name=name,
        workflow_type=wf_type,
        description=body.get("description", ""),
        tags=tuple(body.get("tags") or ()),
        action=action,
        workflow=workflow,
        input=task_input,
        publish=freeze(body.get("publish") or {}),
        publish_on_error=freeze(body.get("publish-on-error") or {}),
        publish_on_skip=freeze(body.get("publish-on-skip") or {}),
        on_success=clauses["on-success"][0],
        on_error=clauses["on-error"][0],
        on_complete=clauses["on-complete"][0],
        on_skip=clauses["on-skip"][0],
        on_success_publish=clauses["on-success"][1],
        on_error_publish=clauses["on-error"][1],
        on_complete_publish=clauses["on-complete"][1],
        on_skip_publish=clauses["on-skip"][1],
        join=body.get("join"),
        with_items=parse_with_items(body.get("with-items")),
        concurrency=policy["concurrency"],
        retry=parse_retry(policy["retry"]),
        wait_before=policy["wait-before"],
        wait_after=policy["wait-after"],
        timeout=policy["timeout"],
        pause_before=policy["pause-before"] if policy["pause-before"] is not None else False,
        fail_on=policy["fail-on"],
        keep_result=body.get("keep-result", True),
        safe_rerun=policy["safe-rerun"] if policy["safe-rerun"] is not None else False,
        target=body.get("target"),
        requires=tuple(dict.fromkeys(requires)),
        revert=parse_revert(body.get("revert")),
    )


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def build_task_defaults(value: Mapping[str, Any] | None) -> s.TaskDefaultsSpec | None:
    if not value:
        return None
    return s.TaskDefaultsSpec(
        on_success=parse_clause(value["on-success"])[0] if "on-success" in value else (),
        on_error=parse_clause(value["on-error"])[0] if "on-error" in value else (),
        on_complete=parse_clause(value["on-complete"])[0] if "on-complete" in value else (),
        on_skip=parse_clause(value["on-skip"])[0] if "on-skip" in value else (),
        requires=_as_tuple(value.get("requires")),
        retry=parse_retry(value.get("retry")),
        wait_before=value.get("wait-before"),
        wait_after=value.get("wait-after"),
        timeout=value.get("timeout"),
        pause_before=value.get("pause-before"),
        concurrency=value.get("concurrency"),
        safe_rerun=value.get("safe-rerun"),
        fail_on=value.get("fail-on"),
    )


def topological_order(requires: Mapping[str, tuple[str, ...]]) -> tuple[tuple[str, ...], set[str]]:
    """Kahn's algorithm, iterative; returns (order, tasks left in cycles)."""
    pending = {t: sum(1 for r in reqs if r in requires) for t, reqs in requires.items()}
    dependents: dict[str, list[str]] = {t: [] for t in requires}
    for t, reqs in requires.items():
        for r in reqs:
            if r in dependents:
                dependents[r].append(t)
    ready = deque(t for t, n in pending.items() if n == 0)
    order: list[str] = []
    while ready:
        t = ready.popleft()
        order.append(t)
        for d in dependents[t]:
            pending[d] -= 1
            if pending[d] == 0:
                ready.append(d)
    return tuple(order), {t for t, n in pending.items() if n > 0}


def build_graph(wf_type: str, tasks: Mapping[str, s.TaskSpec]) -> s.WorkflowGraph:
    if wf_type == s.REVERSE:
        requires = {name: t.requires for name, t in tasks.items()}
        order, _ = topological_order(requires)
        return s.WorkflowGraph(start_tasks=tuple(n for n, r in requires.items() if not r),
                               requires=freeze(requires), order=order)
    inbound: dict[str, dict[str, None]] = {name: {} for name in tasks}
    outbound: dict[str, dict[str, None]] = {name: {} for name in tasks}
    for name, task in tasks.items():
        for tr in task.transitions():
            if tr.target in tasks and tr.target != name:
                inbound[tr.target][name] = None
                outbound[name][tr.target] = None
    return s.WorkflowGraph(
        start_tasks=tuple(n for n in tasks if not inbound[n]),
        inbound=freeze({n: tuple(v) for n, v in inbound.items()}),
        outbound=freeze({n: tuple(v) for n, v in outbound.items()}),
    )


def build_workflow(name: str, body: Mapping[str, Any]) -> s.WorkflowSpec:
    wf_type = body.get("type", s.DIRECT)
    defaults = body.get("task-defaults")
    tasks = {str(t): build_task(str(t), b, wf_type, defaults) for t, b in body["tasks"].items()}
    return s.WorkflowSpec(
        name=name,
        type=wf_type,
        description=body.get("description", ""),
        tags=tuple(body.get("tags") or ()),
        input=parse_input(body.get("input")),
        output=freeze(body.get("output")),
        output_on_error=freeze(body.get("output-on-error")),
        vars=freeze(body.get("vars") or {}),
        task_defaults=build_task_defaults(defaults),
        tasks=freeze(tasks),
        graph=build_graph(wf_type, tasks),
        timeout=body.get("timeout"),
        revert_on_error=bool(body.get("revert-on-error", False)),
        reverts=freeze({s.REVERT_PREFIX + n: revert_task(t) for n, t in tasks.items()
                        if t.revert is not None}),
        source=freeze(body),
    )


def build_action(name: str, body: Mapping[str, Any]) -> s.ActionSpec:
    base, params = parse_inline(body["base"])
    base_input = body.get("base-input")
    if not isinstance(base_input, str):
        merged = dict(base_input or {})
        merged.update(params)
        base_input = freeze(merged)
    return s.ActionSpec(
        name=name,
        base=base,
        base_input=base_input,
        input=parse_input(body.get("input")),
        output=freeze(body.get("output")),
        description=body.get("description", ""),
        tags=tuple(body.get("tags") or ()),
        source=freeze(body),
    )


def build_workbook(root: Mapping[str, Any]) -> s.WorkbookSpec:
    workflows = root.get("workflows") or {}
    actions = root.get("actions") or {}
    return s.WorkbookSpec(
        name=root["name"],
        description=root.get("description", ""),
        tags=tuple(root.get("tags") or ()),
        workflows=tuple(build_workflow(str(n), b) for n, b in workflows.items()),
        actions=tuple(build_action(str(n), b) for n, b in actions.items()),
        source=freeze(root),
    )


# -- rebuilding a stored spec (``spec.to_dict()`` output), without validation ---------------


def workflow_from_dict(d: Mapping[str, Any]) -> s.WorkflowSpec:
    return build_workflow(str(d["name"]), {k: v for k, v in d.items() if k != "name"})


def action_from_dict(d: Mapping[str, Any]) -> s.ActionSpec:
    return build_action(str(d["name"]), {k: v for k, v in d.items() if k != "name"})


def workbook_from_dict(d: Mapping[str, Any]) -> s.WorkbookSpec:
    return build_workbook(d)
