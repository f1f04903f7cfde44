"""Group commit of results (``mistral.utils.groupcommit``): items of one key that arrive
while a batch runs go together into the next one; an item whose batch fails is applied
alone and its error reaches only its own caller; every caller returns after its item."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from mistral.context import RequestContext
from mistral.utils.groupcommit import Failed, GroupCommit


class Recorder:
    def __init__(self, bad: set[int] | None = None) -> None:
        self.batches: list[tuple[str, list[int]]] = []
        self.applied: list[int] = []
        self.bad = bad or set()
        self.first = threading.Event()   # the first batch started
        self.release = threading.Event()  # the first batch may end
        self.lock = threading.Lock()

    def batch(self, ctx: RequestContext, key: str, items: Sequence[int]) -> list[int]:
        with self.lock:
            self.batches.append((key, list(items)))
        if self.bad & set(items):
            raise ValueError("bad item in batch")
        with self.lock:
            self.applied.extend(items)
        return [i * 10 for i in items]

    def one(self, ctx: RequestContext, key: str, item: int) -> int:
        with self.lock:
            self.batches.append((key, [item]))
        if not self.first.is_set():
            self.first.set()
            self.release.wait(10)
        if item in self.bad:
            raise ValueError(f"bad item {item}")
        with self.lock:
            self.applied.append(item)
        return item * 10


def _submit_all(gc: GroupCommit, key: str, items: list[int]) -> dict[int, Any]:
    outcome: dict[int, Any] = {}

    def run(i: int) -> None:
        try:
            assert gc.submit(RequestContext(), key, i) == i * 10  # its own answer
            outcome[i] = "ok"
        except Exception as e:  # noqa: BLE001 - what reached this caller
            outcome[i] = str(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in items]
    for t in threads:
        t.start()
    return outcome, threads  # type: ignore[return-value]


def _wait_queued(gc: GroupCommit, n: int) -> None:
    deadline = time.monotonic() + 10
    while sum(len(q) for q in gc._queues.values()) < n:
        assert time.monotonic() < deadline, "items were not queued"
        time.sleep(0.01)


def test_items_waiting_for_a_batch_go_together_into_the_next() -> None:
    rec = Recorder()
    gc = GroupCommit(rec.batch, rec.one)
    first, t0 = _submit_all(gc, "wf", [0])
    assert rec.first.wait(10)
    rest, threads = _submit_all(gc, "wf", list(range(1, 21)))
    _wait_queued(gc, 20)  # all queued behind item 0
    rec.release.set()
    for t in t0 + threads:
        t.join(10)
    assert {**first, **rest} == {i: "ok" for i in range(21)}
    assert sorted(rec.applied) == list(range(21))
    assert rec.batches[0] == ("wf", [0])
    assert len(rec.batches) == 2 and sorted(rec.batches[1][1]) == list(range(1, 21))
    assert not gc._queues and not gc._busy


def test_a_failing_batch_is_applied_item_by_item_and_each_error_reaches_its_caller() -> None:
    rec = Recorder(bad={7})
    gc = GroupCommit(rec.batch, rec.one)
    first, t0 = _submit_all(gc, "wf", [0])
    assert rec.first.wait(10)
    rest, threads = _submit_all(gc, "wf", list(range(1, 11)))
    _wait_queued(gc, 10)
    rec.release.set()
    for t in t0 + threads:
        t.join(10)
    outcome = {**first, **rest}
    assert outcome.pop(7) == "bad item 7"
    assert set(outcome.values()) == {"ok"}
    assert sorted(rec.applied) == [i for i in range(11) if i != 7]


def test_keys_do_not_wait_for_each_other() -> None:
    rec = Recorder()
    gc = GroupCommit(rec.batch, rec.one)
    _, t0 = _submit_all(gc, "slow", [0])
    assert rec.first.wait(10)  # "slow" holds its batch open
    gc.submit(RequestContext(), "other", 1)  # returns although "slow" is busy
    assert 1 in rec.applied
    rec.release.set()
    for t in t0:
        t.join(10)


def test_a_lone_item_error_is_raised_to_its_caller() -> None:
    rec = Recorder(bad={3})
    rec.first.set()
    gc = GroupCommit(rec.batch, rec.one)
    with pytest.raises(ValueError, match="bad item 3"):
        gc.submit(RequestContext(), "wf", 3)
    gc.submit(RequestContext(), "wf", 4)
    assert rec.applied == [4]


def test_a_shared_error_of_a_batch_is_every_items_answer() -> None:
    """The database (or engine) cannot be reached: each item would only wait for it
    again alone, so every caller gets the error at once and retries on its own."""
    class Down(Exception):
        pass

    rec = Recorder()
    calls: list[str] = []

    def batch(ctx: RequestContext, key: str, items: Sequence[int]) -> list[int]:
        calls.append("batch")
        raise Down("no database")

    def one(ctx: RequestContext, key: str, item: int) -> int:
        calls.append("one")
        return rec.one(ctx, key, item)

    gc = GroupCommit(batch, one, shared=(Down,))
    first, t0 = _submit_all(gc, "wf", [0])
    assert rec.first.wait(10)
    rest, threads = _submit_all(gc, "wf", [1, 2, 3])
    _wait_queued(gc, 3)
    rec.release.set()
    for t in t0 + threads:
        t.join(10)
    assert first == {0: "ok"}
    assert calls == ["one", "batch"]
    assert [type(v) for v in rest.values()] == [str] * 3 and "no database" in rest[1]


def test_several_items_of_one_caller_go_in_one_batch_with_their_own_answers() -> None:
    rec = Recorder(bad={12})
    gc = GroupCommit(rec.batch, rec.one)
    first, t0 = _submit_all(gc, "wf", [0])
    assert rec.first.wait(10)
    got: dict[str, Any] = {}
    t = threading.Thread(target=lambda: got.update(out=gc.submit_many(RequestContext(), "wf",
                                                                     [10, 11, 12, 13])))
    t.start()
    _wait_queued(gc, 4)
    rec.release.set()
    t.join(10)
    for th in t0:
        th.join(10)
    out = got["out"]
    assert out[0] == 100 and out[1] == 110 and out[3] == 130
    assert isinstance(out[2], Failed) and "bad item 12" in str(out[2].error)
    assert not gc._queues and not gc._busy
