"""Finding definitions and turning stored spec dicts into spec objects, once.

Workflow specs come from the checksum cache (``mistral.lang.cache``), keyed by
(definition id, checksum); a running execution keeps the key of the version it started
with in ``runtime_context["spec_key"]`` (and its own copy of the spec, read only on a
cache miss). Nothing here re-reads YAML or the stored spec per event.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, TypeVar

from mistral import exceptions as exc
from mistral import lang
from mistral.db.models import WorkflowExecution
from mistral.lang import cache
from mistral.lang.specs import ActionSpec, WorkflowSpec

T = TypeVar("T")


class LRU:
    """A small thread-safe LRU."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = build()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)


_ACTION_SPECS = LRU(1024)

#: The columns of a workflow execution every event loads with its row lock: all but the
#: large ones. ``spec`` comes from the cache; ``input`` and ``context`` (DATA_FIELDS) are
#: read only when an expression or the output needs them (``Work.with_data``).
DATA_FIELDS: tuple[str, ...] = ("input", "context")
EVENT_FIELDS: tuple[str, ...] = tuple(
    c for c in WorkflowExecution.column_names() if c not in ("spec",) + DATA_FIELDS
)


def _from_dict(spec_dict: Any, what: str) -> WorkflowSpec:
    if not isinstance(spec_dict, dict) or "name" not in spec_dict:
        raise exc.MistralError(f"Stored workflow spec is missing or damaged [{what}]")
    return lang.workflow_from_dict(spec_dict)


def workflow_spec_of_definition(row: Any) -> WorkflowSpec:
    """The spec of a stored definition (from its spec dict, else parsed from its text),
    from the checksum cache (``mistral.lang.cache``)."""
    def load() -> WorkflowSpec:
        if isinstance(row.spec, dict) and "name" in row.spec:
            return _from_dict(row.spec, f"workflow {row.name}")
        return _parse_definition(row)

    return cache.get_workflow_spec(row.id, row.checksum or "", load)


def _parse_definition(row: Any) -> WorkflowSpec:
    short = row.name.rsplit(".", 1)[-1] if row.workbook_name else row.name
    found = lang.parse_workflows(row.definition or "").get(short)
    if found is None:
        raise exc.MistralError(f"Definition of workflow '{row.name}' does not contain it")
    return found


def execution_spec(tx: Any, wf_ex: Any) -> WorkflowSpec:
    """The spec an execution runs, from the checksum cache: executions of one definition
    version share one object. Only a cache miss reads the execution's own ``spec``
    column (the copy it started with, even if the definition changed since)."""
    def load() -> WorkflowSpec:
        row = tx.workflow_executions.get(wf_ex.id, fields=("spec",))
        return _from_dict(row.spec, f"execution {wf_ex.id}")

    key = (wf_ex.runtime_context or {}).get("spec_key")
    if key:
        return cache.get_workflow_spec(str(key[0]), str(key[1] or ""), load)
    return cache.get_workflow_spec(f"execution:{wf_ex.id}", "", load)


def action_spec_of_definition(row: Any) -> ActionSpec:
    if not isinstance(row.spec, dict):
        raise exc.MistralError(f"Stored action spec is missing or damaged [name={row.name}]")
    return _ACTION_SPECS.get_or_build(
        ("act", row.id, row.checksum), lambda: lang.action_from_dict(row.spec)
    )
