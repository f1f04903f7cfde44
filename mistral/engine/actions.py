"""Action executions: resolving ad-hoc actions, creating rows, building requests, results.

An ad-hoc action (``base`` + ``base-input`` + ``output``) is resolved here, possibly
through several levels, to the Python action an executor runs (a registered one, or a
dynamic action: a class of a code source, whose text travels in the request); its input is transformed
before sending and its ``output`` applied to the result when it comes back (the
transforms travel in the row's ``runtime_context``, so nothing is resolved twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Mapping

from mistral import exceptions as exc
from mistral import expressions, lang
from mistral.actions import dynamic
from mistral.actions.base import input_problems
from mistral.db import names
from mistral.engine import specs
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.engine.work import Work, rc_of, set_rc, set_state
from mistral.lang.util import thaw
from mistral.workflow import states

LOG = logging.getLogger(__name__)

MAX_ADHOC_DEPTH = 10


@dataclass
class ResolvedAction:
    name: str
    base: str
    base_input: dict[str, Any]
    input: dict[str, Any]
    outputs: list[Any] = field(default_factory=list)
    is_sync: bool = True
    dynamic: dict[str, Any] | None = None  # DynamicRef.to_dict() of a dynamic base action


def _check_adhoc_input(aspec: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    problems = input_problems(given, [p.name for p in aspec.input],
                              [p.name for p in aspec.input if not p.has_default])
    if problems:
        raise exc.InputError(f"Invalid input for action {aspec.name} ({'; '.join(problems)})")
    full = {p.name: thaw(p.default) for p in aspec.input if p.has_default}
    full.update(given)
    return full


def resolve(
    w: Work, name: str, action_input: Mapping[str, Any] | None, namespace: str = "",
    workbook: str | None = None, project_id: str | None = None,
) -> ResolvedAction:
    """Follow ad-hoc actions down to a registered Python action or a dynamic action
    (``project_id``: the owner of the execution); validate its input.

    Unknown action → ``NotFoundError``; wrong input → ``InputError``.
    """
    given = dict(action_input or {})
    current, current_input = name, given
    outputs: list[Any] = []
    for _ in range(MAX_ADHOC_DEPTH):
        if current in w.s.registry:
            action = w.s.registry.build(current, current_input)
            return ResolvedAction(name, current, current_input, given, outputs, action.is_sync())
        row = names.action_for_task(w.tx, current, namespace, workbook)
        if row is None:
            ref = _dynamic_ref(w, current, namespace, project_id)
            if ref is None:
                raise exc.NotFoundError(f"Action not found [name={current}]")
            action = dynamic.build(current, ref, current_input, w.s.registry.settings)
            return ResolvedAction(name, current, current_input, given, outputs,
                                  action.is_sync(), dynamic=ref.to_dict())
        aspec = specs.action_spec_of_definition(row)
        full = _check_adhoc_input(aspec, current_input)
        base_input = expressions.evaluate_recursively(aspec.base_input, full,
                                                      settings=w.s.settings.expressions)
        if not isinstance(base_input, dict):
            raise exc.InputError(
                f"base-input of action {aspec.name} must be a mapping, got {base_input!r:.100}"
            )
        if aspec.output is not None:
            # a mapping or list output is frozen in the spec; the row keeps it as JSON
            outputs.append(lang.thaw(aspec.output))
        current, current_input = aspec.base, base_input
    raise exc.ActionError(f"Ad-hoc action {name} nests deeper than {MAX_ADHOC_DEPTH} levels")


def _dynamic_ref(w: Work, name: str, namespace: str,
                 project_id: str | None) -> dynamic.DynamicRef | None:
    """The dynamic action ``name`` (this namespace, then the default one) and its code
    source as the owning project sees them: its own rows, then public ones. Another
    project's private action or source is never used, even in an admin context (the
    reconciler's)."""
    owner = project_id or w.ctx.project_id

    def usable(rows: list[Any]) -> Any | None:
        rows = [r for r in rows if r.project_id == owner or r.scope == "public"]
        rows.sort(key=lambda r: r.project_id != owner)
        return rows[0] if rows else None

    for ns in [namespace] + ([""] if namespace else []):
        row = usable(w.tx.dynamic_actions.list(filters={"name": name, "namespace": ns}))
        if row is not None:
            source = usable(w.tx.code_sources.list(filters={"id": row.code_source_id}))
            if source is None:
                raise exc.NotFoundError(
                    f"Code source of dynamic action {name} not found "
                    f"[id={row.code_source_id}, name={row.code_source_name}]"
                )
            return dynamic.DynamicRef.of(row, source)
    return None


def transform_output(outputs: list[Any], data: Any,
                     settings: expressions.ExpressionSettings | None = None) -> Any:
    """Apply ad-hoc ``output`` transforms, innermost action first."""
    for out in reversed(outputs):
        data = expressions.evaluate_recursively(out, data if data is not None else {},
                                                settings=settings)
    return data


def new_action_values(
    w: Work, r: ResolvedAction, *, wf_ex: Any = None, task_ex: Any = None,
    index: int = 0, safe_rerun: bool = False, timeout: float | None = None,
    target: str | None = None, namespace: str = "", description: str | None = None,
) -> tuple[dict[str, Any], RunActionRequest]:
    """The row values and the request for one action execution (not inserted yet)."""
    from mistral.db.models import generate_id

    ex_id = generate_id()
    exec_ctx = {
        "workflow_execution_id": wf_ex.id if wf_ex is not None else None,
        "task_execution_id": task_ex.id if task_ex is not None else None,
        "workflow_name": wf_ex.workflow_name if wf_ex is not None else None,
        "action_execution_id": ex_id,
    }
    req = RunActionRequest(
        action_ex_id=ex_id, action_name=r.base, action_input=r.base_input,
        namespace=namespace, safe_rerun=safe_rerun, execution_context=exec_ctx,
        target=target, timeout=timeout, is_sync=False, dynamic=r.dynamic,
    )
    values = {
        "id": ex_id,
        "name": r.name,
        "description": description,
        "workflow_name": wf_ex.workflow_name if wf_ex is not None else None,
        "workflow_namespace": namespace,
        "task_execution_id": task_ex.id if task_ex is not None else None,
        "workflow_execution_id": wf_ex.id if wf_ex is not None else None,
        "state": states.RUNNING,
        "input": r.input,
        "is_sync": r.is_sync,
        "accepted": False,
        "runtime_context": {
            "index": index, "request": _stored_request(req, r), "adhoc_outputs": r.outputs or None,
        },
    }
    if wf_ex is not None:
        values["project_id"] = wf_ex.project_id
    return values, req


def error_text(error: Any) -> str:
    if isinstance(error, str):
        return error
    try:
        import json

        return json.dumps(error, default=str)
    except (TypeError, ValueError):
        return str(error)


def store_result(action_ex: Any, result: ActionResult,
                 settings: expressions.ExpressionSettings | None = None) -> tuple[str, Any]:
    """Write the result on a RUNNING action execution: (new state, value for the task)."""
    outputs = rc_of(action_ex).get("adhoc_outputs") or []
    action_ex.accepted = True  # as Mistral 23: an action with a result was accepted
    if result.cancel:
        set_state("action", action_ex, states.CANCELLED, None)
        action_ex.output = {"result": result.data}
        return states.CANCELLED, None
    if result.is_error():
        set_state("action", action_ex, states.ERROR, error_text(result.error))
        action_ex.output = {"result": result.error}
        return states.ERROR, result.error
    data = result.data
    if outputs:
        try:
            data = transform_output(outputs, data, settings)
        except exc.MistralError as e:
            msg = f"Failed to transform the output of action {action_ex.name}: {e}"
            set_state("action", action_ex, states.ERROR, msg)
            action_ex.output = {"result": msg}
            return states.ERROR, msg
    set_state("action", action_ex, states.SUCCESS, None)
    action_ex.output = {"result": data}
    return states.SUCCESS, data


def _stored_request(req: RunActionRequest, r: ResolvedAction) -> dict[str, Any]:
    """The request as kept on the row; a plain action's input is the row's ``input``."""
    d = req.to_dict()
    if r.base_input == r.input:
        del d["action_input"]
    if d.get("dynamic"):  # the module text stays in its code source (see resend)
        d["dynamic"] = {k: v for k, v in d["dynamic"].items() if k != "content"}
    else:
        d.pop("dynamic", None)
    return d


def resend(w: Work, action_ex: Any, rerun: bool = False) -> None:
    """Send a RUNNING action again: nobody took it (``resent`` counts, for the backoff),
    or its executor died and the task says safe-rerun (``rerun``: ``reruns`` counts)."""
    stored = dict(rc_of(action_ex).get("request") or {})
    stored.setdefault("action_input", action_ex.input or {})
    if stored.get("dynamic"):
        ref = dict(stored["dynamic"])
        source = w.tx.code_sources.get(ref["code_source_id"])
        ref.update(content=source.content, checksum=source.checksum)
        stored["dynamic"] = ref
    req = RunActionRequest.from_dict(stored)
    if not req.action_ex_id:
        raise exc.MistralError(f"Action execution {action_ex.id} has no stored request")
    rc = rc_of(action_ex)
    if rerun:
        set_rc(action_ex, reruns=int(rc.get("reruns", 0)) + 1, resent=None)
    else:
        set_rc(action_ex, resent=int(rc.get("resent", 0)) + 1)
    action_ex.accepted = False
    action_ex.claimed_by = None  # the next claim of this send is granted
    action_ex.last_heartbeat = w.now
    w.send(req)
