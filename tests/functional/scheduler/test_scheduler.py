"""Durable timers on SQLite, PostgreSQL and MariaDB: claimed with a lease, run exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db.api import Database
from mistral.scheduler import Scheduler

CTX = RequestContext(project_id="proj-7", user_id="u")


def wait_until(cond: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def jobs(db: Database) -> list:
    with db.transaction() as tx:
        return tx.scheduled_jobs.list()


def test_a_job_runs_once_in_its_own_transaction_with_the_scheduling_context(database) -> None:
    sched = Scheduler(database, fixed_delay=0.05)
    seen: list[tuple[dict, RequestContext]] = []
    sched.register_handler("test.record", lambda tx, args: seen.append((args, tx.ctx)))
    with database.transaction(CTX) as tx:
        sched.schedule(tx, "test.record", 0, {"n": 1})
        sched.schedule(tx, "test.record", 3600, {"n": 2})
    assert sched.run_once() == 1
    assert seen == [({"n": 1}, CTX)]
    assert sched.run_once() == 0
    [left] = jobs(database)
    assert left.args == {"n": 2} and left.captured_by is None


def test_a_rolled_back_transaction_schedules_nothing(database) -> None:
    sched = Scheduler(database)
    with pytest.raises(RuntimeError):
        with database.transaction(CTX) as tx:
            sched.schedule(tx, "test.x", 0, {})
            raise RuntimeError("abort")
    assert jobs(database) == []


def test_keys_make_jobs_unique_and_replace_reschedules(database) -> None:
    sched = Scheduler(database)
    with database.transaction(CTX) as tx:
        a = sched.schedule(tx, "test.x", 100, {"v": 1}, key="timeout:t1")
    with database.transaction(CTX) as tx:
        assert sched.schedule(tx, "test.x", 200, {"v": 2}, key="timeout:t1") == a
    assert [j.args for j in jobs(database)] == [{"v": 1}]
    with database.transaction(CTX) as tx:
        b = sched.schedule(tx, "test.x", 200, {"v": 3}, key="timeout:t1", replace=True)
    assert b != a
    assert [j.args for j in jobs(database)] == [{"v": 3}]
    with database.transaction(CTX) as tx:
        assert sched.unschedule(tx, "timeout:t1") is True
        assert sched.unschedule(tx, "timeout:t1") is False
    assert jobs(database) == []


def test_failing_handlers_domain_errors_drop_unless_kept_other_errors_retry(database) -> None:
    sched = Scheduler(database, captured_job_timeout=3600)
    calls = Counter()

    def not_found(tx, args):
        calls["nf"] += 1
        raise exc.NotFoundError("execution gone")

    def buggy(tx, args):
        calls["bug"] += 1
        tx.scheduled_jobs.delete_where(handler="test.other")  # rolled back with the failure
        raise ValueError("bug")

    def chain(tx, args):
        calls["chain"] += 1
        raise exc.InUseError("a row is busy")

    sched.register_handler("test.nf", not_found)
    sched.register_handler("test.bug", buggy)
    sched.register_handler("test.chain", chain, keep_on_error=True)
    with database.transaction(CTX) as tx:
        sched.schedule(tx, "test.nf", 0, {})
        sched.schedule(tx, "test.bug", 0, {})
        sched.schedule(tx, "test.chain", 0, {})
        sched.schedule(tx, "test.other", 3600, {})
        sched.schedule(tx, "test.unknown", 0, {})
    assert sched.run_once() == 3  # test.unknown is left to a scheduler that knows it
    assert calls == {"nf": 1, "bug": 1, "chain": 1}
    left = {j.handler: j for j in jobs(database)}
    assert set(left) == {"test.bug", "test.chain", "test.other", "test.unknown"}
    assert left["test.bug"].captured_at is None  # released, due again after a lease
    assert left["test.chain"].captured_at is None  # kept despite a domain error
    assert left["test.unknown"].captured_at is None
    assert sched.run_once() == 0
    with pytest.raises(exc.ConfigError):
        sched.register_handler("test.nf", lambda tx, args: None)


def test_a_dead_schedulers_claim_expires_and_another_runs_the_job(database) -> None:
    runs: list[str] = []
    dead = Scheduler(database, captured_job_timeout=1, name="dead")
    alive = Scheduler(database, captured_job_timeout=1, name="alive")
    for s in (dead, alive):
        s.register_handler("test.rec", lambda tx, args, s=s: runs.append(s.name))
    with database.transaction(CTX) as tx:
        dead.schedule(tx, "test.rec", 0, {})
    [claimed] = dead.claim()  # ... and then "dies" before running it
    assert alive.claim() == []  # the lease holds
    wait_until(lambda: alive.run_once() == 1)
    assert runs == ["alive"]
    dead._run(claimed)  # a zombie waking up does not run it again
    assert runs == ["alive"]
    assert jobs(database) == []


def test_two_schedulers_racing_run_every_job_exactly_once(database) -> None:
    n_jobs = 200
    second_db = Database(database.url)
    runs: Counter = Counter()
    lock = threading.Lock()

    def record(tx, args):
        with lock:
            runs[args["n"]] += 1

    scheds = [
        Scheduler(database, fixed_delay=0.01, batch_size=15, captured_job_timeout=60, name="s1"),
        Scheduler(second_db, fixed_delay=0.01, batch_size=15, captured_job_timeout=60, name="s2"),
    ]
    for s in scheds:
        s.register_handler("test.race", record)
        s.start()
    try:
        with database.transaction(CTX) as tx:
            for i in range(n_jobs):
                scheds[0].schedule(tx, "test.race", 0, {"n": i})
        wait_until(lambda: sum(runs.values()) >= n_jobs and not jobs(database), timeout=120)
    finally:
        for s in scheds:
            s.stop()
        second_db.dispose()
    assert sorted(runs) == list(range(n_jobs))
    assert set(runs.values()) == {1}


def test_plain_handlers_run_outside_the_transaction_then_the_job_goes(database) -> None:
    sched = Scheduler(database)
    seen: list[tuple[RequestContext, dict, int]] = []

    def plain(ctx, args):
        # free to open its own transactions (the job is still there: at-least-once)
        with database.transaction(ctx) as tx:
            seen.append((ctx, args, tx.scheduled_jobs.count()))

    sched.register_handler("test.plain", plain, transactional=False)
    with database.transaction(CTX) as tx:
        sched.schedule(tx, "test.plain", 0, {"a": 1})
    assert sched.run_once() == 1
    assert seen == [(CTX, {"a": 1}, 1)]
    assert jobs(database) == []
