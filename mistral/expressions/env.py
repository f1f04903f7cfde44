"""``FunctionEnv``: how Mistral's expression functions reach runtime data without doing I/O.

The engine implements the Protocol over the snapshot it already loaded; tests use
``StaticFunctionEnv``. Values returned are plain JSON-like data (dicts, lists, strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from mistral.exceptions import ExpressionError


class FunctionEnv(Protocol):
    """What ``task()``, ``tasks()``, ``execution()``, ``executions()``, ``env()`` and
    ``global()`` read. ``task(None)`` means the task being evaluated."""

    def task(self, name: str | None = None) -> Mapping[str, Any] | None: ...

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> Sequence[Mapping[str, Any]]: ...

    def execution(self) -> Mapping[str, Any]: ...

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> Sequence[Mapping[str, Any]]: ...

    def env(self) -> Mapping[str, Any]: ...

    def global_var(self, name: str) -> Any: ...


@dataclass
class StaticFunctionEnv:
    """A ``FunctionEnv`` over plain data: for tests and for evaluations outside an execution.

    ``task_list`` holds task dicts (``id, name, state, state_info, result, published``,
    optionally ``workflow_execution_id``); ``current_task`` names the task that ``task()``
    without argument returns.
    """

    task_list: Sequence[Mapping[str, Any]] = ()
    current_task: str | None = None
    execution_data: Mapping[str, Any] = field(default_factory=dict)
    execution_list: Sequence[Mapping[str, Any]] = ()
    env_data: Mapping[str, Any] = field(default_factory=dict)
    globals_data: Mapping[str, Any] = field(default_factory=dict)

    def task(self, name: str | None = None) -> Mapping[str, Any] | None:
        name = name if name is not None else self.current_task
        if name is None:
            raise ExpressionError("task() without a name is only valid inside a task")
        found = [t for t in self.task_list if t.get("name") == name]
        return found[-1] if found else None

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> Sequence[Mapping[str, Any]]:
        out = list(self.task_list)
        if workflow_execution_id is not None and not recursive:
            out = [t for t in out if t.get("workflow_execution_id", workflow_execution_id)
                   == workflow_execution_id]
        if state is not None:
            out = [t for t in out if t.get("state") == state]
        return out

    def execution(self) -> Mapping[str, Any]:
        return self.execution_data

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> Sequence[Mapping[str, Any]]:
        out = list(self.execution_list)
        for key, want in (("id", id), ("root_execution_id", root_execution_id), ("state", state)):
            if want is not None:
                out = [e for e in out if e.get(key) == want]
        if from_time is not None:
            out = [e for e in out if str(e.get("created_at", "")) >= from_time]
        if to_time is not None:
            out = [e for e in out if str(e.get("created_at", "")) < to_time]
        return out

    def env(self) -> Mapping[str, Any]:
        return self.env_data

    def global_var(self, name: str) -> Any:
        return self.globals_data.get(name)


NULL_ENV = StaticFunctionEnv()
