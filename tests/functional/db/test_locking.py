"""Row locks and concurrent writers on every backend."""

from __future__ import annotations

import threading

import pytest

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db.api import Database

CTX = RequestContext(project_id="p1")


@pytest.fixture(params=["postgresql", "mariadb"])
def server_database(request: pytest.FixtureRequest, _schema_databases):
    """``database`` without SQLite, for behaviour of concurrent writers."""
    from tests.conftest import _clean

    db = _schema_databases.get(request.param)
    yield db
    _clean(db)
WAIT = 10  # seconds; only ever reached when something is broken


def _run(target, *args) -> tuple[threading.Thread, list]:
    errors: list = []

    def wrapper() -> None:
        try:
            target(*args)
        except BaseException as e:  # reported by the test thread
            errors.append(e)

    t = threading.Thread(target=wrapper, daemon=True)
    t.start()
    return t, errors


def test_second_locker_waits_and_sees_the_first_ones_commit(database: Database) -> None:
    with database.transaction(CTX) as tx:
        ex_id = tx.workflow_executions.create({"state": "RUNNING"}).id
    a_locked, b_starting, b_locked = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def first() -> None:
        with database.transaction(CTX) as tx:
            tx.workflow_executions.lock(ex_id).state = "PAUSED"
            tx.flush()
            a_locked.set()
            assert b_starting.wait(WAIT)
            # If the lock did not hold, the second thread would get through now.
            seen["b_got_lock_while_a_held_it"] = b_locked.wait(0.5)

    def second() -> None:
        assert a_locked.wait(WAIT)
        b_starting.set()  # on SQLite the wait starts at the transaction's BEGIN
        with database.transaction(CTX) as tx:
            seen["state"] = tx.workflow_executions.lock(ex_id).state
            b_locked.set()

    ta, ea = _run(first)
    tb, eb = _run(second)
    ta.join(WAIT * 2)
    tb.join(WAIT * 2)
    assert not ea and not eb, ea + eb
    assert seen["b_got_lock_while_a_held_it"] is False
    assert seen["state"] == "PAUSED"


def test_different_executions_lock_independently(server_database: Database) -> None:
    with server_database.transaction(CTX) as tx:
        ex1 = tx.workflow_executions.create({"state": "RUNNING"}).id
        ex2 = tx.workflow_executions.create({"state": "RUNNING"}).id
    a_locked, b_done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with server_database.transaction(CTX) as tx:
            tx.workflow_executions.lock(ex1)
            a_locked.set()
            seen["b_done_while_a_held_lock"] = b_done.wait(WAIT)

    def second() -> None:
        assert a_locked.wait(WAIT)
        with server_database.transaction(CTX) as tx:
            tx.workflow_executions.lock(ex2).state = "SUCCESS"
        b_done.set()

    ta, ea = _run(first)
    tb, eb = _run(second)
    ta.join(WAIT * 2)
    tb.join(WAIT * 2)
    assert not ea and not eb, ea + eb
    assert seen["b_done_while_a_held_lock"] is True


def test_lock_missing_execution_is_not_found(database: Database) -> None:
    with database.transaction(CTX) as tx:
        with pytest.raises(exc.NotFoundError, match=r"Workflow execution not found \[id=nope\]"):
            tx.workflow_executions.lock("nope")


def test_concurrent_writers_never_see_database_is_locked(database: Database) -> None:
    with database.transaction(CTX) as tx:
        ex_id = tx.workflow_executions.create({"state": "RUNNING", "context": {"n": 0}}).id

    def work() -> None:
        for _ in range(15):
            with database.transaction(CTX) as tx:
                ex = tx.workflow_executions.lock(ex_id)
                ex.context = {"n": ex.context["n"] + 1}
                tx.task_executions.create({"workflow_execution_id": ex_id, "name": "t"})

    runs = [_run(work) for _ in range(4)]
    for t, _ in runs:
        t.join(120)
    assert [e for _, errs in runs for e in errs] == []
    with database.transaction(CTX) as tx:
        assert tx.workflow_executions.get(ex_id).context == {"n": 60}
        assert tx.task_executions.count(workflow_execution_id=ex_id) == 60


def test_sqlite_two_database_objects_on_one_file_wait_for_each_other(
    sqlite_database: Database,
) -> None:
    # Two Database objects behave like two processes: no shared in-process lock,
    # only BEGIN IMMEDIATE + busy_timeout between them.
    other = Database(sqlite_database.url)
    try:
        with sqlite_database.transaction(CTX) as tx:
            ex_id = tx.workflow_executions.create({"context": {"n": 0}}).id

        def work(db: Database) -> None:
            for _ in range(15):
                with db.transaction(CTX) as tx:
                    ex = tx.workflow_executions.lock(ex_id)
                    ex.context = {"n": ex.context["n"] + 1}

        runs = [_run(work, db) for db in (sqlite_database, other, sqlite_database, other)]
        for t, _ in runs:
            t.join(120)
        assert [e for _, errs in runs for e in errs] == []
        with other.transaction(CTX, readonly=True) as tx:
            assert tx.workflow_executions.get(ex_id).context == {"n": 60}
    finally:
        other.dispose()


def test_nested_sqlite_write_transaction_is_a_clear_error(sqlite_database: Database) -> None:
    with sqlite_database.transaction(CTX):
        with pytest.raises(exc.DBError, match="Nested write transaction on SQLite"):
            with sqlite_database.transaction(CTX):
                pass
    # A read-only transaction inside a write one is fine.
    with sqlite_database.transaction(CTX) as tx:
        tx.workflow_executions.create({})
        with sqlite_database.transaction(CTX, readonly=True) as ro:
            assert ro.workflow_executions.count() == 0


def test_after_locking_a_transaction_sees_what_committed_before_the_lock(
    server_database: Database,
) -> None:
    # READ COMMITTED (not MySQL's default REPEATABLE READ): a transaction that read
    # an execution before locking it still sees the rows committed meanwhile.
    with server_database.transaction(CTX) as tx:
        ex_id = tx.workflow_executions.create({"state": "RUNNING"}).id

    def other_engine() -> None:
        with server_database.transaction(CTX) as tx:
            tx.workflow_executions.lock(ex_id).state = "PAUSED"
            tx.task_executions.create({"workflow_execution_id": ex_id, "name": "t"})

    with server_database.transaction(CTX) as tx:
        assert tx.workflow_executions.get(ex_id).state == "RUNNING"
        assert tx.task_executions.count(workflow_execution_id=ex_id) == 0
        t, errors = _run(other_engine)
        t.join(WAIT * 2)
        assert errors == []
        assert tx.workflow_executions.lock(ex_id).state == "PAUSED"
        assert tx.task_executions.count(workflow_execution_id=ex_id) == 1


def test_deadlock_victim_gets_a_retryable_error(server_database: Database) -> None:
    with server_database.transaction(CTX) as tx:
        ex1 = tx.workflow_executions.create({}).id
        ex2 = tx.workflow_executions.create({}).id
    has_first = {ex1: threading.Event(), ex2: threading.Event()}

    def crossing(first: str, second: str) -> None:
        with server_database.transaction(CTX) as tx:
            tx.workflow_executions.lock(first)
            has_first[first].set()
            assert has_first[second].wait(WAIT)
            tx.workflow_executions.lock(second)

    runs = [_run(crossing, ex1, ex2), _run(crossing, ex2, ex1)]
    for t, _ in runs:
        t.join(WAIT * 3)
    errors = [e for _, errs in runs for e in errs]
    assert len(errors) == 1, errors
    assert isinstance(errors[0], exc.DBDeadlockError)
    assert isinstance(errors[0], exc.DBError)
