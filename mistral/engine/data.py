"""Data flow: what an expression sees, the ``FunctionEnv`` over the running execution, and
publishing.

``$`` of a task is the workflow context (input, vars and globally published values)
overlaid with the task's inbound (branch) context. ``task()``, ``tasks()``,
``execution()``, ``env()`` and ``global()`` read the execution through
:class:`ExecutionEnv`, which loads rows only when an expression calls them.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from mistral import exceptions as exc
from mistral import expressions
from mistral.db.filters import Filter
from mistral.engine import specs
from mistral.engine.work import Work, rc_of
from mistral.lang.util import thaw
from mistral.workflow import states


def task_data(w: Work, wf_ex: Any, in_ctx: Mapping[str, Any] | None) -> dict[str, Any]:
    """``$`` of a task: the workflow input, the execution context (vars, global
    publishes), then the task's branch context; plus Mistral's ``__execution`` (its id)
    and ``__env``. Nothing large is repeated: the data is converted per evaluation."""
    w.with_data(wf_ex)
    data = {**(wf_ex.input or {}), **(wf_ex.context or {}), **(in_ctx or {})}
    data["__execution"] = {"id": wf_ex.id}
    data["__env"] = (wf_ex.params or {}).get("env") or {}
    return data


def task_dict(task_ex: Any, result: Any = None, with_result: bool = True) -> dict[str, Any]:
    d = {
        "id": task_ex.id,
        "name": task_ex.name,
        "state": task_ex.state,
        "state_info": task_ex.state_info,
        "published": task_ex.published or {},
        "workflow_execution_id": task_ex.workflow_execution_id,
        "type": task_ex.type,
    }
    if with_result:
        d["result"] = result if result is not None else rc_of(task_ex).get("result")
    # As Mistral 23's task(): when the row was made and last changed
    d["created_at"] = _time(getattr(task_ex, "created_at", None))
    d["updated_at"] = _time(getattr(task_ex, "updated_at", None))
    return d


def _time(value: Any) -> str | None:
    """A row's time as Mistral 23's expression functions give it: to the second."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat(" ") if hasattr(value, "isoformat") \
        else str(value)


def task_spec_dict(spec: Any, name: str) -> dict[str, Any] | None:
    """A task's definition as Mistral 23's ``task()`` shows it: its body, its name, the
    workflow's type and the DSL version."""
    body = (spec.source.get("tasks") or {}).get(name) if spec is not None else None
    if not isinstance(body, Mapping):
        return None
    return {**thaw(body), "name": name, "type": spec.type, "version": "2.0"}


def current_task(w: Work, task_ex: Any) -> dict[str, Any]:
    """What ``task()`` is while a task's units are built: the task itself, or for a
    revert the task it reverts (its ``result``, the error of a failed one, and what it
    published)."""
    of = rc_of(task_ex).get("revert_of")
    if not of:
        return task_dict(task_ex)
    return task_dict(w.tx.task_executions.get(of["id"]))


def execution_fn_dict(wf_ex: Any, spec: Any) -> dict[str, Any]:
    """What ``execution()`` gives: the fields Mistral 23's does (``state`` is not one of
    them; ``executions()`` has it)."""
    return {
        "id": wf_ex.id,
        "name": wf_ex.name,
        "spec": spec.to_dict(),
        "input": wf_ex.input or {},
        "params": wf_ex.params or {},
        "created_at": _time(wf_ex.created_at),
        "updated_at": _time(wf_ex.updated_at),
        "root_execution_id": wf_ex.root_execution_id,
    }


def execution_dict(wf_ex: Any, spec: Any) -> dict[str, Any]:
    """What ``executions()`` gives; ``spec`` is the cached spec object."""
    return {
        "id": wf_ex.id,
        "name": wf_ex.name,
        "workflow_name": wf_ex.workflow_name,
        "spec": spec.to_dict(),
        "input": wf_ex.input or {},
        "params": wf_ex.params or {},
        "state": wf_ex.state,
        "root_execution_id": wf_ex.root_execution_id,
        "created_at": str(wf_ex.created_at) if wf_ex.created_at else None,
        "project_id": wf_ex.project_id,
    }


class ExecutionEnv:
    """``FunctionEnv`` over one workflow execution inside the current transaction."""

    def __init__(self, w: Work, wf_ex: Any, current: Mapping[str, Any] | None = None) -> None:
        self.w = w
        self.wf_ex = wf_ex
        self.current = current
        self._specs: dict[str, Any] = {}

    def _with_spec(self, t: Mapping[str, Any]) -> Mapping[str, Any]:
        """A task as ``task()`` / ``tasks()`` show it: with its definition (``spec``)."""
        if "spec" in t:
            return t
        wf_id = t.get("workflow_execution_id")
        spec = self.w.spec(self.wf_ex) if wf_id in (None, self.wf_ex.id) else self._spec_of(wf_id)
        return {**t, "spec": task_spec_dict(spec, str(t.get("name")))}

    def _spec_of(self, wf_ex_id: str) -> Any:
        if wf_ex_id not in self._specs:
            row = self.w.tx.workflow_executions.find(id=wf_ex_id, fields=specs.EVENT_FIELDS)
            self._specs[wf_ex_id] = self.w.spec(row) if row is not None else None
        return self._specs[wf_ex_id]

    def task(self, name: str | None = None) -> Mapping[str, Any] | None:
        if self.current is not None and (name is None or name == self.current.get("name")):
            return self._with_spec(self.current)
        if name is None:
            raise exc.ExpressionError("task() without a name is only valid inside a task")
        rows = self.w.tx.task_executions.list(
            filters={"workflow_execution_id": self.wf_ex.id, "name": name},
            sort_keys=("created_at",), sort_dirs=("desc",), limit=1,
        )
        return self._with_spec(task_dict(rows[0])) if rows else None

    def tasks(
        self,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> Sequence[Mapping[str, Any]]:
        tx = self.w.tx

        def load(wf_ex_id: str | None, want: str | None) -> list[Mapping[str, Any]]:
            filters: dict[str, Any] = {}
            if wf_ex_id is not None:
                filters["workflow_execution_id"] = wf_ex_id
            if want is not None:
                filters["state"] = want
            rows = tx.task_executions.list(filters=filters, sort_keys=("created_at",))
            found = [task_dict(r) for r in rows]
            # The task being completed is seen as task() sees it (its final state and
            # result), as in Mistral, where the state is set before publishing.
            cur = self.current
            if cur is None or (wf_ex_id is not None and cur.get("workflow_execution_id")
                               != wf_ex_id):
                return found
            found = [t for t in found if t["id"] != cur.get("id")]
            if want is None or cur.get("state") == want:
                found.append(dict(cur))
            return found

        def children(task_id: str) -> list[tuple[str, str | None]]:
            rows = tx.workflow_executions.list(filters={"task_execution_id": task_id},
                                               fields=("id", "state"))
            return [(r.id, r.state) for r in rows]

        found = expressions.select_tasks(load, children, workflow_execution_id, recursive,
                                         state, flat)
        return [self._with_spec(t) for t in found]

    def execution(self) -> Mapping[str, Any]:
        return execution_fn_dict(self.w.with_data(self.wf_ex), self.w.spec(self.wf_ex))

    def executions(
        self,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> Sequence[Mapping[str, Any]]:
        filters: dict[str, Any] = {}
        for k, v in (("id", id), ("root_execution_id", root_execution_id), ("state", state)):
            if v is not None:
                filters[k] = v
        window = tuple(Filter(op, t) for op, t in (("gte", from_time), ("lt", to_time)) if t)
        if window:
            # Both bounds go to the database (ANDed), not a scan of every execution.
            filters["created_at"] = window
        rows = self.w.tx.workflow_executions.list(
            filters=filters, sort_keys=("created_at",),
            fields=specs.EVENT_FIELDS + specs.DATA_FIELDS)
        return [execution_dict(r, self.w.spec(r)) for r in rows]

    def env(self) -> Mapping[str, Any]:
        return (self.wf_ex.params or {}).get("env") or {}

    def global_var(self, name: str) -> Any:
        return (self.w.with_data(self.wf_ex).context or {}).get(name)


def evaluate(
    w: Work, wf_ex: Any, value: Any, data: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate every expression in ``value`` against ``data`` (raises ExpressionError)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return expressions.evaluate_recursively(value, data, ExecutionEnv(w, wf_ex, current),
                                            w.s.settings.expressions)


def merge(target: dict[str, Any], values: Mapping[str, Any], strategy: str) -> dict[str, Any]:
    """Apply ``values`` onto ``target``: 'replace' per key, 'merge' deep for dicts."""
    if strategy != "merge":
        target.update(values)
        return target
    for k, v in values.items():
        old = target.get(k)
        if isinstance(old, dict) and isinstance(v, Mapping):
            target[k] = merge(dict(old), v, strategy)
        else:
            target[k] = v
    return target


def publish(
    w: Work, wf_ex: Any, task_ex: Any, task_spec: Any, state: str, result: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Evaluate publish / publish-on-error / publish-on-skip and the clause publishes:
    (branch, global)."""
    current = task_dict(task_ex, result)
    current["state"] = state
    data = task_data(w, wf_ex, task_ex.in_context)
    branch: dict[str, Any] = {}
    glob: dict[str, Any] = {}
    if state == states.SUCCESS:
        simple, clause = task_spec.publish, task_spec.on_success_publish
    elif state == states.ERROR:
        simple, clause = task_spec.publish_on_error, task_spec.on_error_publish
    elif state == states.SKIPPED:
        simple, clause = task_spec.publish_on_skip, task_spec.on_skip_publish
    else:
        return branch, glob
    if simple:
        branch.update(evaluate(w, wf_ex, dict(simple), data, current) or {})
    for pub in (clause, task_spec.on_complete_publish):
        if pub is None:
            continue
        if pub.branch:
            branch.update(evaluate(w, wf_ex, dict(pub.branch), data, current) or {})
        if pub.global_:
            glob.update(evaluate(w, wf_ex, dict(pub.global_), data, current) or {})
        if pub.atomic:
            glob.update(evaluate(w, wf_ex, dict(pub.atomic), data, current) or {})
    return branch, glob


def outbound_ctx(task_ex: Any) -> dict[str, Any]:
    """The branch context a finished task hands to the tasks it triggers."""
    return {**(task_ex.in_context or {}), **(task_ex.published or {})}


def load_tasks(w: Work, wf_id: str, names: Sequence[str],
               state: str | Filter | None = None) -> list[Any]:
    filters: dict[str, Any] = {"workflow_execution_id": wf_id, "name": Filter("in", list(names))}
    if state:
        filters["state"] = state
    return w.tx.task_executions.list(filters=filters, sort_keys=("created_at",))
