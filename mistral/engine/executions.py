"""Creating workflow executions (top-level and subworkflows).

Everything that can be refused — unknown workflow, missing or unexpected input, an
unknown environment, a reverse workflow without a valid target — is checked before the
first row is written, so a refused start leaves nothing behind.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Mapping

from mistral import exceptions as exc
from mistral import expressions, notifiers
from mistral.context import stored_context
from mistral.engine import specs
from mistral.engine.ports import WORKFLOW_TIMEOUT
from mistral.engine.work import Work
from mistral.lang.specs import WorkflowSpec
from mistral.lang.util import thaw
from mistral.workflow import controller, states


def check_input(spec: WorkflowSpec, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The input with defaults applied; ``InputError`` names what is missing/unexpected."""
    given = dict(given or {})
    declared = [p.name for p in spec.input]
    unexpected = sorted(set(given) - set(declared))
    missing = [p.name for p in spec.input if not p.has_default and p.name not in given]
    problems = []
    if missing:
        problems.append("missing: " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected: " + ", ".join(unexpected))
    if problems:
        expected = ", ".join(declared) or "(none)"
        raise exc.InputError(
            f"Invalid input for workflow '{spec.name}' ({'; '.join(problems)}); "
            f"expected: {expected}"
        )
    result: dict[str, Any] = {}
    for p in spec.input:
        if p.name in given:
            result[p.name] = given[p.name]
        elif p.has_default:
            result[p.name] = thaw(p.default)  # the spec's read-only copy, as plain JSON
    return result


def resolve_env(w: Work, env: Any) -> dict[str, Any]:
    """``env`` given as a dict, or as the name of a stored environment."""
    if env is None:
        return {}
    if isinstance(env, Mapping):
        return dict(env)
    if isinstance(env, str):
        row = w.tx.environments.find(name=env)
        if row is None:
            raise exc.NotFoundError(f"Environment not found [name={env}]")
        return dict(row.variables or {})
    raise exc.InputError(f"params.env must be a mapping or an environment name, got {env!r:.80}")


def _initial_context(spec: WorkflowSpec, wf_input: dict[str, Any], env: dict,
                     settings: expressions.ExpressionSettings | None = None) -> dict[str, Any]:
    """The execution's ``context``: its vars (later also global publishes). The input
    is not copied here: ``$`` reads it from the execution's ``input``."""
    context: dict[str, Any] = {}
    if spec.vars:
        data = {**wf_input, "__env": env}
        env_fn = expressions.StaticFunctionEnv(env_data=env)
        for key, value in spec.vars.items():
            context[key] = expressions.evaluate_recursively(value, data, env_fn, settings)
            data[key] = context[key]
    return context


#: as a task timer: a due time must stay a datetime (~31 years is "forever")
MAX_TIMEOUT = 10 ** 9


def _timeout(spec: WorkflowSpec, wf_input: dict[str, Any], context: dict[str, Any],
             env: dict, settings: expressions.ExpressionSettings | None = None) -> float:
    """The workflow's own ``timeout`` in seconds (0: none), evaluated against its input,
    vars and env; a bad value refuses the start (``InputError``)."""
    if spec.timeout is None:
        return 0.0
    value: Any = spec.timeout
    if isinstance(value, str):
        data = {**wf_input, **context, "__env": env}
        try:
            value = expressions.evaluate_recursively(
                value, data, expressions.StaticFunctionEnv(env_data=env), settings)
        except exc.ExpressionError as e:
            raise exc.InputError(
                f"Cannot evaluate timeout of workflow '{spec.name}': {e}") from None
    try:
        seconds = float(value if value not in (None, "") else 0)
    except (TypeError, ValueError, OverflowError):
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_TIMEOUT):
        raise exc.InputError(f"'timeout' of workflow '{spec.name}' must be a number of "
                             f"seconds between 0 and {MAX_TIMEOUT}, got {value!r:.80}")
    return seconds


def _row_values(w: Work, definition: Any, spec: WorkflowSpec, wf_input: dict, params: dict,
                context: dict, rc: dict, description: str) -> dict[str, Any]:
    return {
        "name": definition.name,
        "description": description or "",
        "workflow_name": definition.name,
        "workflow_namespace": definition.namespace or "",
        "workflow_id": definition.id,
        "spec": definition.spec if isinstance(definition.spec, dict) else spec.to_dict(),
        "state": states.RUNNING,
        "input": wf_input,
        "params": params,
        "context": context,
        "output": {},
        "runtime_context": rc,
        "tags": list(spec.tags),
        # every later event of this execution acts as this context (default_engine.in_tx)
        "auth_context": stored_context(w.ctx),
        "updated_at": w.now,  # as Mistral 23: started, so already updated once
        "next_check_at": w.now + datetime.timedelta(
            seconds=max(w.s.settings.integrity_check_delay, 1)
        ),
    }


def create_execution(
    w: Work,
    definition: Any,
    wf_input: Mapping[str, Any] | None,
    params: Mapping[str, Any] | None = None,
    *,
    description: str = "",
    wf_ex_id: str | None = None,
    parent_task: Any = None,
    parent_wf: Any = None,
    index: int | None = None,
    trigger_id: str | None = None,
) -> Any:
    """Insert a RUNNING workflow execution and queue its start commands on ``w``."""
    spec = specs.workflow_spec_of_definition(definition)
    params = dict(params or {})
    checked = check_input(spec, wf_input)
    env = resolve_env(w, params.get("env"))
    if env or "env" in params:
        params["env"] = env
    task_name = params.get("task_name")
    try:
        context = _initial_context(spec, checked, env, w.s.settings.expressions)
    except exc.ExpressionError as e:
        raise exc.InputError(f"Cannot evaluate vars of workflow '{spec.name}': {e}") from None
    timeout = _timeout(spec, checked, context, env, w.s.settings.expressions)
    # Tasks see the workflow context through the execution row; their own in_context
    # holds only what their branch published (no copy of the input per task).
    decision = controller.start(spec, {}, task_name)
    rc: dict[str, Any] = {"flow": decision.flow.to_dict(),
                          "spec_key": [definition.id, definition.checksum]}
    if index is not None:
        rc["index"] = index
    if timeout > 0:
        rc["timeout"] = timeout
    values = _row_values(w, definition, spec, checked, params, context, rc, description)
    if wf_ex_id:
        values["id"] = wf_ex_id
    if trigger_id:
        values["trigger_id"] = trigger_id
    if parent_task is not None:
        values["task_execution_id"] = parent_task.id
        values["root_execution_id"] = parent_wf.root_execution_id or parent_wf.id
        values["project_id"] = parent_wf.project_id
    wf_ex = w.tx.workflow_executions.create(values)
    w.created(wf_ex)
    if timeout > 0:
        w.schedule(WORKFLOW_TIMEOUT, timeout, {"wf_ex_id": wf_ex.id},
                   key=f"{WORKFLOW_TIMEOUT}:{wf_ex.id}")
    w.notify(wf_ex, notifiers.WORKFLOW_LAUNCHED)
    for cmd in decision.commands:
        w.push(wf_ex, cmd)
    w.touch(wf_ex)
    return wf_ex
