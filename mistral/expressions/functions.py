"""Mistral's expression functions, shared by the YAQL and Jinja evaluators.

Each reads runtime data only through the ``FunctionEnv`` given to the evaluation.
"""

from __future__ import annotations

import json
import uuid as _uuid
from typing import Any, Callable

import yaml

from mistral.exceptions import ExpressionError
from mistral.expressions.env import FunctionEnv


def _plain(value: Any) -> Any:
    """YAQL hands frozen dicts/tuples to functions; make them JSON-friendly."""
    if isinstance(value, dict) or hasattr(value, "items") and not isinstance(value, str):
        try:
            return {k: _plain(v) for k, v in value.items()}
        except (AttributeError, TypeError):
            return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def json_pp(data: Any) -> str:
    return json.dumps(_plain(data), indent=4, separators=(",", ": "), default=str)


def json_dump(data: Any) -> str:
    return json.dumps(_plain(data), default=str)


def json_parse(data: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise ExpressionError("json_parse(): the argument is nested too deeply") from None
    except (TypeError, ValueError) as e:
        raise ExpressionError(f"json_parse(): the argument is not valid JSON ({e.__class__.__name__})")


def yaml_dump(data: Any) -> str:
    return yaml.safe_dump(_plain(data), default_flow_style=False)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_MAX_DEPTH = 64
YAML_MAX_NODES = 100_000


def _check_yaml_shape(data: str) -> None:
    """Refuse deep nesting and alias bombs before building anything (iterative scan)."""
    depth = 0
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]
    for event in yaml.parse(data, Loader=_YAML_LOADER):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > YAML_MAX_DEPTH:
                raise ExpressionError(f"yaml_parse(): nested deeper than {YAML_MAX_DEPTH} levels")
            stack.append([event.anchor, 1])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            stack[-1][1] += size
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1][1] += 1
        elif isinstance(event, yaml.AliasEvent):
            stack[-1][1] += sizes.get(event.anchor, 1)
        if stack[-1][1] > YAML_MAX_NODES:
            raise ExpressionError(f"yaml_parse(): more than {YAML_MAX_NODES} values")


def yaml_parse(data: str) -> Any:
    if not isinstance(data, str):
        raise ExpressionError("yaml_parse(): the argument must be a string")
    try:
        _check_yaml_shape(data)
        return yaml.load(data, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        raise ExpressionError("yaml_parse(): the argument is not valid YAML") from None


def uuid_() -> str:
    return str(_uuid.uuid4())


def _copy(value: Any) -> Any:
    return _plain(value) if value is not None else None


def task_(fenv: FunctionEnv, name: str | None = None) -> Any:
    found = fenv.task(name)
    if found is None:
        return None
    return _copy(found)


def tasks_(
    fenv: FunctionEnv,
    workflow_execution_id: str | None = None,
    recursive: bool = False,
    state: str | None = None,
    flat: bool = False,
) -> list:
    return [_copy(t) for t in fenv.tasks(workflow_execution_id, recursive, state, flat)]


def execution_(fenv: FunctionEnv) -> Any:
    return _copy(fenv.execution())


def executions_(
    fenv: FunctionEnv,
    id: str | None = None,
    root_execution_id: str | None = None,
    state: str | None = None,
    from_time: str | None = None,
    to_time: str | None = None,
) -> list:
    return [_copy(e) for e in fenv.executions(id, root_execution_id, state, from_time, to_time)]


def env_(fenv: FunctionEnv) -> Any:
    return _copy(fenv.env())


def global_(fenv: FunctionEnv, name: str) -> Any:
    return _copy(fenv.global_var(name))


# Functions that need no FunctionEnv, by the name expressions call them.
PURE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "json_pp": json_pp,
    "json_dump": json_dump,
    "json_parse": json_parse,
    "yaml_dump": yaml_dump,
    "yaml_parse": yaml_parse,
    "uuid": uuid_,
}

# Functions whose first argument is the FunctionEnv.
ENV_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "task": task_,
    "tasks": tasks_,
    "execution": execution_,
    "executions": executions_,
    "env": env_,
    "global": global_,
}
