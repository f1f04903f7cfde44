"""``FunctionEnv``: how Mistral's expression functions reach runtime data without doing I/O.

The engine implements the Protocol over the snapshot it already loaded; tests use
``StaticFunctionEnv``. Values returned are plain JSON-like data (dicts, lists, strings).
"""

from __future__ import annotations

from collections.abc import Callable
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


TaskLoader = Callable[[str | None, str | None], Sequence[Mapping[str, Any]]]
ChildLoader = Callable[[str], Sequence[tuple[str, str | None]]]


def select_tasks(
    load: TaskLoader,
    children: ChildLoader,
    workflow_execution_id: str | None = None,
    recursive: bool = False,
    state: str | None = None,
    flat: bool = False,
) -> list[Mapping[str, Any]]:
    """``tasks(workflow_execution_id, recursive, state, flat)`` as Mistral 23 answers it,
    over any store: ``load(wf_ex_id or None, state or None)`` gives task dicts in creation
    order (``None`` id: every task the caller may see), ``children(task_id)`` the
    ``(id, state)`` of the subworkflow executions a workflow task started.

    * no id: every task (``recursive`` adds nothing);
    * ``recursive`` with an id: the tasks of every subworkflow below, depth first after
      the execution's own tasks, filtered by ``state``/``flat`` the same way;
    * ``flat``: a workflow task is left out when one of its subworkflows is in the task's
      own state (its subworkflow's tasks stand for it).

    The engine's ``ExecutionEnv`` and ``StaticFunctionEnv`` both answer through this.
    """
    # With an id and recursive, a subworkflow may hold matching tasks under a task in
    # another state: filter by state after walking, as Mistral does.
    query_state = state if state and not (workflow_execution_id and recursive) else None
    own = list(load(workflow_execution_id, query_state))
    nested: list[Mapping[str, Any]] = []
    if recursive and workflow_execution_id:
        for t in own:
            if t.get("type") == "WORKFLOW":
                for child_id, _ in children(str(t["id"])):
                    nested.extend(select_tasks(load, children, child_id, True, state, flat))

    def keep(t: Mapping[str, Any]) -> bool:
        if state and t.get("state") != state:
            return False
        if flat and t.get("type") != "ACTION":
            return all(child_state != t.get("state") for _, child_state in children(str(t["id"])))
        return True

    if state or flat:
        own = [t for t in own if keep(t)]
    return own + nested


@dataclass
class StaticFunctionEnv:
    """A ``FunctionEnv`` over plain data: for tests and for evaluations outside an execution.

    ``task_list`` holds task dicts (``id, name, state, state_info, result, published``,
    ``workflow_execution_id``, ``type``); ``execution_list`` execution dicts (``id, state``,
    ``task_execution_id`` for a subworkflow); ``current_task`` names the task that
    ``task()`` without argument returns.
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
        def load(wf_ex_id: str | None, want: str | None) -> list[Mapping[str, Any]]:
            return [t for t in self.task_list
                    if (wf_ex_id is None or t.get("workflow_execution_id") == wf_ex_id)
                    and (want is None or t.get("state") == want)]

        def children(task_id: str) -> list[tuple[str, str | None]]:
            return [(e["id"], e.get("state")) for e in self.execution_list
                    if e.get("task_execution_id") == task_id]

        return select_tasks(load, children, workflow_execution_id, recursive, state, flat)

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
