"""Group commit: items of one key that arrive together are applied together.

The engine applies the action results of one workflow execution this way (they would
each wait for the execution's row lock, then commit alone), and executors claim actions
this way (one round trip and one transaction for every action that got a slot at once).

The first caller for a key becomes the *leader*: it takes every item queued for that key
so far, applies them in order with one ``apply_batch`` call (one transaction), and wakes
their callers with their own answers. Everyone returns only after the call holding its
item returned, exactly as if it had applied it alone: a result is acknowledged once it
is durable.

If a batch fails, its items are applied one by one (``apply_one``), so an error (a result
too large for its column, a deleted execution ...) reaches only its own caller, with the
handling an item applied alone gets; an error of the ``shared`` kinds (the database or the
engine cannot be reached) is every item's answer at once, since alone each would only
wait for it again. A leader hands over to the next waiting caller
after one batch, so no caller works for the others for long.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mistral.context import RequestContext

LOG = logging.getLogger(__name__)

MAX_BATCH = 200


@dataclass(eq=False)
class Pending:
    ctx: RequestContext
    item: Any
    #: set when the item is applied (or failed), or when this caller is to lead
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    error: BaseException | None = None
    answer: Any = None
    done: bool = False


@dataclass(frozen=True)
class Failed:
    """The outcome of an item of ``submit_many`` that failed."""

    error: BaseException


class GroupCommit:
    """Batches items per key: ``apply_batch(ctx, key, items)`` applies several (one
    transaction, one round trip) and returns their answers in order; ``apply_one(ctx,
    key, item)`` applies one, with that item's own error handling."""

    def __init__(self, apply_batch: Callable[[RequestContext, str, Sequence[Any]], Sequence[Any]],
                 apply_one: Callable[[RequestContext, str, Any], Any],
                 max_batch: int = MAX_BATCH,
                 shared: tuple[type[BaseException], ...] = ()) -> None:
        self._apply_batch = apply_batch
        self._apply_one = apply_one
        self._shared = shared
        self._max = max_batch
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Pending]] = {}
        self._busy: set[str] = set()

    def submit(self, ctx: RequestContext, key: str, item: Any) -> Any:
        """Apply ``item``; returns its answer once it is applied, or raises its own error."""
        outcome = self.submit_many(ctx, key, [item])[0]
        if isinstance(outcome, Failed):
            raise outcome.error
        return outcome

    def submit_many(self, ctx: RequestContext, key: str, items: Sequence[Any]) -> list[Any]:
        """Apply several items (queued together, in order); returns once all are applied:
        each one's answer, or ``Failed(error)`` for one that failed."""
        mine = [Pending(ctx, item) for item in items]
        if not mine:
            return []
        with self._lock:
            self._queues.setdefault(key, deque()).extend(mine)
            lead = key not in self._busy
            if lead:
                self._busy.add(key)
        if lead:
            self._lead(key)  # this caller's first item heads the queue: it is in the batch
        for p in mine[1:] if lead else mine:
            while not p.done:
                p.wake.wait()
                if p.lead and not p.done:
                    self._lead(key)  # handed over: this item heads the queue
        return [Failed(p.error) if p.error is not None else p.answer for p in mine]

    def _lead(self, key: str) -> None:
        """Apply one batch of ``key``'s queue, then hand over to the next caller waiting
        (or leave the key idle)."""
        with self._lock:
            queue = self._queues[key]
            batch = [queue.popleft() for _ in range(min(len(queue), self._max))]
        try:
            self._run(key, batch)
        finally:
            with self._lock:
                queue = self._queues[key]
                if queue:
                    nxt = queue[0]
                    nxt.lead = True
                    nxt.wake.set()  # it leads the next batch, its own item first
                else:
                    del self._queues[key]
                    self._busy.discard(key)

    def _run(self, key: str, batch: list[Pending]) -> None:
        if len(batch) > 1:
            try:
                answers = list(self._apply_batch(batch[0].ctx, key, [p.item for p in batch]))
            except self._shared as e:
                for p in batch:
                    p.error = e
                    p.done = True
                    p.wake.set()
                return
            except BaseException as e:  # noqa: BLE001 - every item is tried alone below
                LOG.info("A batch of %d items for %s failed (%s: %s); applying them one by one",
                         len(batch), key, type(e).__name__, e)
            else:
                for i, p in enumerate(batch):
                    p.answer = answers[i] if i < len(answers) else None
                    p.done = True
                    p.wake.set()
                return
        for p in batch:
            try:
                p.answer = self._apply_one(p.ctx, key, p.item)
            except BaseException as e:  # noqa: BLE001 - handed to its own caller
                p.error = e
            p.done = True
            p.wake.set()
