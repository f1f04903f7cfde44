"""Specs cached by definition id + checksum: parse (or rebuild) once, reuse on every event.

A bounded, thread-safe LRU. ``loader`` is called on a miss and returns a ``WorkflowSpec``
(typically ``workflow_from_dict(row.spec)`` or a parse of ``row.definition``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

from mistral.lang.specs import WorkflowSpec

T = TypeVar("T")


def checksum(text: str | bytes) -> str:
    """The checksum to store next to a definition (sha256 hex)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


class SpecCache(Generic[T]):
    """A small LRU keyed by (definition id, checksum)."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, definition_id: str, checksum_: str, loader: Callable[[], T]) -> T:
        key = (definition_id, checksum_)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        value = loader()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def invalidate(self, definition_id: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == definition_id]:  # type: ignore[index]
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_WORKFLOWS: SpecCache[WorkflowSpec] = SpecCache()


def get_workflow_spec(definition_id: str, checksum_: str,
                      loader: Callable[[], WorkflowSpec]) -> WorkflowSpec:
    """The process-wide workflow spec cache (specs are immutable, so sharing is safe)."""
    return _WORKFLOWS.get(definition_id, checksum_, loader)


def workflow_cache() -> SpecCache[WorkflowSpec]:
    return _WORKFLOWS
