"""``lock(id, fields=...)``: the row lock with only the columns an engine event needs."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db.api import Database

CTX = RequestContext(project_id="p1")
OTHER = RequestContext(project_id="p2")


def _create(db: Database) -> str:
    with db.transaction(CTX) as tx:
        return tx.workflow_executions.create({
            "state": "RUNNING", "spec": {"name": "wf", "tasks": {"t": {}}},
            "context": {"a": 1}, "runtime_context": {"k": 1},
        }).id


def test_lock_with_fields_loads_only_those(database: Database) -> None:
    ex_id = _create(database)
    with database.transaction(CTX) as tx:
        row = tx.workflow_executions.lock(ex_id, fields=("state", "context", "runtime_context"))
        assert row.state == "RUNNING" and row.context == {"a": 1}
        with pytest.raises(Exception):  # noqa: B017 - raiseload: never a silent query
            row.spec  # noqa: B018
        assert set(row.to_dict()) == {"id", "state", "context", "runtime_context"}
        row.state = "PAUSED"
        row.runtime_context = {"k": 2}
    with database.transaction(CTX, readonly=True) as tx:
        row = tx.workflow_executions.get(ex_id)
        assert (row.state, row.runtime_context) == ("PAUSED", {"k": 2})
        assert row.spec == {"name": "wf", "tasks": {"t": {}}}  # untouched


def test_a_later_get_adds_a_column_to_the_locked_row(database: Database) -> None:
    ex_id = _create(database)
    with database.transaction(CTX) as tx:
        row = tx.workflow_executions.lock(ex_id, fields=("state",))
        again = tx.workflow_executions.get(ex_id, fields=("spec",))
        assert again is row
        assert row.spec == {"name": "wf", "tasks": {"t": {}}}
        assert row.state == "RUNNING"


def test_lock_with_fields_sees_only_visible_rows(database: Database) -> None:
    ex_id = _create(database)
    with database.transaction(OTHER) as tx:
        with pytest.raises(exc.NotFoundError):
            tx.workflow_executions.lock(ex_id, fields=("state",))
    with database.transaction(CTX) as tx:
        with pytest.raises(exc.NotFoundError):
            tx.workflow_executions.lock("nope", fields=("state",))
        with pytest.raises(exc.ValidationError):
            tx.workflow_executions.lock(ex_id, fields=("no_such_column",))
