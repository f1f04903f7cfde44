"""The repository contract, run on SQLite, PostgreSQL and MariaDB alike."""

from __future__ import annotations

import datetime

import pytest

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db.api import Database
from mistral.db.filters import Filter

P1 = RequestContext(project_id="p1")
P2 = RequestContext(project_id="p2")
ADMIN = RequestContext(project_id="p3", is_admin=True)


def _wf(tx, name, **kw):
    values = {"name": name, "definition": f"{name}: {{}}", "spec": {"name": name}}
    values.update(kw)
    return tx.workflow_definitions.create(values)


def test_create_get_update_delete(database: Database) -> None:
    with database.transaction(P1) as tx:
        wf = _wf(tx, "wf1", tags=["a", "b"])
        assert len(wf.id) == 36
        assert wf.namespace == "" and wf.scope == "private" and wf.project_id == "p1"
        assert wf.created_at.tzinfo is None
    with database.transaction(P1) as tx:
        got = tx.workflow_definitions.get(wf.id)
        assert got.spec == {"name": "wf1"} and got.tags == ["a", "b"]
        assert got.updated_at is None
        tx.workflow_definitions.update(wf.id, {"definition": "changed", "tags": ["c"]})
    with database.transaction(P1) as tx:
        got = tx.workflow_definitions.get(wf.id)
        assert got.definition == "changed" and got.tags == ["c"]
        assert got.updated_at is not None and got.updated_at >= got.created_at
        tx.workflow_definitions.delete(wf.id)
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.find(id=wf.id) is None
        assert tx.workflow_definitions.count() == 0


def test_not_found_names_the_entity_and_id(database: Database) -> None:
    with database.transaction(P1) as tx:
        with pytest.raises(exc.NotFoundError, match=r"Workflow not found \[id=nope\]"):
            tx.workflow_definitions.get("nope")
        with pytest.raises(exc.NotFoundError, match="Workflow execution not found"):
            tx.workflow_executions.update("nope", {"state": "ERROR"})
        with pytest.raises(exc.NotFoundError):
            tx.task_executions.delete("nope")


def test_duplicate_name_raises_duplicate_entry_and_writes_nothing(database: Database) -> None:
    with database.transaction(P1) as tx:
        _wf(tx, "wf1")
    with pytest.raises(exc.DuplicateEntryError, match=r"WorkflowDefinition.*name=wf1"):
        with database.transaction(P1) as tx:
            _wf(tx, "other")
            _wf(tx, "wf1")
    with database.transaction(P1) as tx:
        assert [w.name for w in tx.workflow_definitions.list()] == ["wf1"]
        # Same name in another namespace or project is fine.
        _wf(tx, "wf1", namespace="ns")
    with database.transaction(P2) as tx:
        _wf(tx, "wf1")
    with database.transaction(ADMIN) as tx:
        assert tx.workflow_definitions.count(name="wf1") == 3


def test_names_are_case_sensitive_and_unicode_safe_everywhere(database: Database) -> None:
    with database.transaction(P1) as tx:
        _wf(tx, "wf")
        _wf(tx, "WF")
        _wf(tx, "wf-\u00e9\u4e2d\U0001f600")
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.find(name="WF").name == "WF"
        assert tx.workflow_definitions.get(
            tx.workflow_definitions.find(name="wf-\u00e9\u4e2d\U0001f600").id
        ).name == "wf-\u00e9\u4e2d\U0001f600"
        assert tx.workflow_definitions.count() == 3


def test_duplicate_inside_savepoint_keeps_the_transaction(database: Database) -> None:
    with database.transaction(P1) as tx:
        ex = tx.workflow_executions.create({"id": "e" * 36, "state": "RUNNING"})
    with database.transaction(P1) as tx:
        with pytest.raises(exc.DuplicateEntryError, match="id="):
            with tx.savepoint():
                tx.workflow_executions.create({"id": ex.id, "state": "IDLE"})
        assert tx.workflow_executions.get(ex.id).state == "RUNNING"
        tx.workflow_executions.create({"state": "IDLE"})
    with database.transaction(P1) as tx:
        assert tx.workflow_executions.count() == 2


def test_unknown_field_and_too_long_value_are_validation_errors(database: Database) -> None:
    with database.transaction(P1) as tx:
        with pytest.raises(exc.ValidationError, match="Unknown field 'bogus'"):
            tx.workflow_definitions.create({"name": "x", "bogus": 1})
        with pytest.raises(exc.ValidationError, match="'name'.*too long.*255"):
            tx.workflow_definitions.create({"name": "x" * 300})
        with pytest.raises(exc.ValidationError, match="Field 'name' of workflow is required"):
            tx.workflow_definitions.create({"definition": "x"})
        with pytest.raises(exc.ValidationError, match="Field 'run_at' of scheduled job is required"):
            tx.scheduled_jobs.create_many([{"handler": "h"}])
        with pytest.raises(exc.ValidationError, match="'namespace' of workflow cannot be null"):
            tx.workflow_definitions.create({"name": "x", "namespace": None})
        with pytest.raises(exc.ValidationError, match="Invalid scope"):
            tx.workflow_definitions.create({"name": "x", "scope": "world"})
        with pytest.raises(exc.ValidationError, match="Unknown filter field 'nope'"):
            tx.workflow_definitions.list(filters={"nope": 1})
        with pytest.raises(exc.ValidationError, match="sort key 'nope'"):
            tx.workflow_definitions.list(sort_keys=["nope"])
        with pytest.raises(exc.ValidationError, match="sort direction"):
            tx.workflow_definitions.list(sort_keys=["name"], sort_dirs=["up"])


def test_filters(database: Database) -> None:
    with database.transaction(P1) as tx:
        for i, state in enumerate(["RUNNING", "SUCCESS", "ERROR", "RUNNING"]):
            tx.workflow_executions.create(
                {
                    "workflow_name": f"wf{i}",
                    "state": state,
                    "tags": ["t%d" % i, "common"],
                    "description": None if i == 0 else f"d{i}",
                }
            )
    with database.transaction(P1) as tx:
        wx = tx.workflow_executions

        def names(**filters):
            return sorted(e.workflow_name for e in wx.list(filters=filters))

        assert names(state="RUNNING") == ["wf0", "wf3"]
        assert names(state=Filter("eq", "ERROR")) == ["wf2"]
        assert names(state=Filter("neq", "RUNNING")) == ["wf1", "wf2"]
        assert names(state=Filter("in", ["SUCCESS", "ERROR"])) == ["wf1", "wf2"]
        assert names(state=Filter("nin", ["SUCCESS", "ERROR"])) == ["wf0", "wf3"]
        assert names(state=Filter("in", [])) == []
        assert names(workflow_name=Filter("gt", "wf1")) == ["wf2", "wf3"]
        assert names(workflow_name=Filter("gte", "wf1")) == ["wf1", "wf2", "wf3"]
        assert names(workflow_name=Filter("lt", "wf1")) == ["wf0"]
        assert names(workflow_name=Filter("lte", "wf1")) == ["wf0", "wf1"]
        assert names(tags=Filter("has", "t2")) == ["wf2"]
        assert names(tags=Filter("has", "common")) == ["wf0", "wf1", "wf2", "wf3"]
        assert names(tags=Filter("has", "t")) == []  # whole elements only
        assert names(description=None) == ["wf0"]
        assert names(description=Filter("neq", "d1")) == ["wf0", "wf2", "wf3"]
        assert names(workflow_name=Filter("has", "f3")) == ["wf3"]
        assert wx.count(state="RUNNING") == 2
        with pytest.raises(exc.ValidationError, match="Unknown filter operator"):
            Filter("like", "x")


def test_has_filter_escapes_like_wildcards(database: Database) -> None:
    with database.transaction(P1) as tx:
        _wf(tx, "a", tags=["50%"])
        _wf(tx, "b", tags=["500"])
    with database.transaction(P1) as tx:
        rows = tx.workflow_definitions.list(filters={"tags": Filter("has", "50%")})
        assert [r.name for r in rows] == ["a"]


def test_sort_marker_limit_walks_every_row_once(database: Database) -> None:
    with database.transaction(P1) as tx:
        # Duplicated and NULL sort values: the id tie-breaker keeps pages stable.
        for i in range(11):
            tx.workflow_executions.create(
                {"workflow_name": f"wf{i % 3}", "description": None if i % 4 == 0 else "d"}
            )
    with database.transaction(P1) as tx:
        all_rows = tx.workflow_executions.list()
        for keys, dirs in [
            (["workflow_name"], ["asc"]),
            (["workflow_name"], ["desc"]),
            (["description", "workflow_name"], ["asc", "desc"]),
            (["description"], ["desc"]),
            (["created_at"], []),
        ]:
            seen, marker = [], None
            while True:
                page = tx.workflow_executions.list(
                    sort_keys=keys, sort_dirs=dirs, marker=marker, limit=4
                )
                seen.extend(page)
                if len(page) < 4:
                    break
                marker = page[-1].id
            assert sorted(r.id for r in seen) == sorted(r.id for r in all_rows), keys
            assert len(seen) == len(all_rows)
            full = tx.workflow_executions.list(sort_keys=keys, sort_dirs=dirs)
            assert [r.id for r in seen] == [r.id for r in full], keys
        ordered = tx.workflow_executions.list(sort_keys=["workflow_name"], sort_dirs=["desc"])
        assert [r.workflow_name for r in ordered][:4] == ["wf2"] * 3 + ["wf1"]
        with pytest.raises(exc.NotFoundError):
            tx.workflow_executions.list(marker="missing", limit=1)


def test_fields_loads_only_those_columns(database: Database) -> None:
    with database.transaction(P1) as tx:
        tx.workflow_executions.create({"workflow_name": "wf", "state": "RUNNING", "context": {"big": 1}})
    with database.transaction(P1) as tx:
        (row,) = tx.workflow_executions.list(fields=["workflow_name", "state"])
    assert row.to_dict() == {"id": row.id, "workflow_name": "wf", "state": "RUNNING"}
    with pytest.raises(Exception):
        row.context  # not loaded, and never lazily loaded


def test_project_isolation_public_and_members(database: Database) -> None:
    with database.transaction(P1) as tx:
        private = _wf(tx, "private")
        public = _wf(tx, "public", scope="public")
        shared = _wf(tx, "shared")
        pending = _wf(tx, "pending")
        tx.resource_members.create(
            {"resource_id": shared.id, "resource_type": "workflow", "project_id": "p1",
             "member_id": "p2", "status": "accepted"}
        )
        tx.resource_members.create(
            {"resource_id": pending.id, "resource_type": "workflow", "project_id": "p1",
             "member_id": "p2", "status": "pending"}
        )
        ex = tx.workflow_executions.create({"workflow_name": "private"})
    with database.transaction(P2) as tx:
        names = sorted(w.name for w in tx.workflow_definitions.list())
        assert names == ["public", "shared"]
        assert tx.workflow_definitions.find(id=private.id) is None
        with pytest.raises(exc.NotFoundError):
            tx.workflow_definitions.get(pending.id)
        assert tx.workflow_definitions.get(shared.id).name == "shared"
        assert tx.workflow_executions.count() == 0
        with pytest.raises(exc.NotFoundError):
            tx.workflow_executions.get(ex.id)
        # Visible is not writable.
        with pytest.raises(exc.NotAllowedError, match="another project"):
            tx.workflow_definitions.update(public.id, {"definition": "x"})
        with pytest.raises(exc.NotAllowedError):
            tx.workflow_definitions.delete(shared.id)
        assert tx.workflow_definitions.delete_where(name="public") == 0
        assert tx.workflow_executions.update_where({"state": "ERROR"}) == 0
        # Members see their invitations.
        assert tx.resource_members.count() == 2
        with pytest.raises(exc.NotAllowedError, match="another project"):
            tx.workflow_definitions.create({"name": "x", "project_id": "p1"})
    with database.transaction(ADMIN) as tx:
        assert tx.workflow_definitions.count() == 4
        assert tx.workflow_executions.get(ex.id).project_id == "p1"
        tx.workflow_executions.update(ex.id, {"state": "ERROR"})
    with database.transaction(P1) as tx:
        assert tx.workflow_executions.get(ex.id).state == "ERROR"


def test_find_prefers_own_row_over_public_one(database: Database) -> None:
    with database.transaction(P2) as tx:
        _wf(tx, "wf", scope="public", definition="theirs")
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.find(name="wf").definition == "theirs"
        _wf(tx, "wf", definition="mine")
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.find(name="wf").definition == "mine"


def test_execution_children_cascade_on_delete(database: Database) -> None:
    with database.transaction(P1) as tx:
        ex = tx.workflow_executions.create({"state": "RUNNING"})
        task = tx.task_executions.create({"workflow_execution_id": ex.id, "name": "t"})
        tx.action_executions.create_many(
            [{"task_execution_id": task.id, "workflow_execution_id": ex.id, "name": f"a{i}"}
             for i in range(3)]
        )
        other = tx.workflow_executions.create({"state": "RUNNING"})
        tx.task_executions.create({"workflow_execution_id": other.id, "name": "t"})
    with database.transaction(P1) as tx:
        assert tx.action_executions.count(workflow_execution_id=ex.id) == 3
        tx.workflow_executions.delete(ex.id)
    with database.transaction(P1) as tx:
        assert tx.task_executions.count() == 1
        assert tx.action_executions.count() == 0
        assert tx.workflow_executions.delete_where(id=Filter("in", [other.id])) == 1
        assert tx.task_executions.count() == 0


def test_referenced_workflow_cannot_be_deleted(database: Database) -> None:
    with database.transaction(P1) as tx:
        wf = _wf(tx, "wf")
        tx.cron_triggers.create({"name": "c", "pattern": "* * * * *", "workflow_id": wf.id,
                                 "workflow_name": "wf"})
    with pytest.raises(exc.InUseError, match=rf"Workflow \[id={wf.id}\] is in use"):
        with database.transaction(P1) as tx:
            tx.workflow_definitions.delete(wf.id)
    with pytest.raises(exc.InUseError, match=r"Workflow \[name=wf\] is in use"):
        with database.transaction(P1) as tx:
            tx.workflow_definitions.delete_where(name="wf")
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.count() == 1


def test_missing_parent_is_not_found(database: Database) -> None:
    with pytest.raises(
        exc.NotFoundError,
        match=r"Task execution refers to a row that does not exist \[workflow_execution_id=nope\]",
    ):
        with database.transaction(P1) as tx:
            tx.task_executions.create({"workflow_execution_id": "nope", "name": "t"})


def test_rollback_on_error_writes_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        with database.transaction(P1) as tx:
            _wf(tx, "wf")
            raise RuntimeError("boom")
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.count() == 0


def test_after_commit_runs_only_after_commit(database: Database) -> None:
    calls: list[str] = []
    with database.transaction(P1) as tx:
        _wf(tx, "wf")
        tx.after_commit(lambda: calls.append("first"))
        tx.after_commit(lambda: 1 / 0)  # logged, does not stop the others
        tx.after_commit(lambda: calls.append("second"))
        assert calls == []
    assert calls == ["first", "second"]
    # Callbacks run once the transaction (and SQLite's writer lock) is released:
    # they may open write transactions of their own.
    def follow_up() -> None:
        with database.transaction(P1) as tx2:
            _wf(tx2, "follow-up")
        calls.append("follow-up")

    with database.transaction(P1) as tx:
        tx.after_commit(follow_up)
    assert calls[-1] == "follow-up"
    calls.remove("follow-up")
    with pytest.raises(exc.DuplicateEntryError):
        with database.transaction(P1) as tx:
            tx.after_commit(lambda: calls.append("never"))
            _wf(tx, "wf")
    with pytest.raises(ValueError):
        with database.transaction(P1) as tx:
            tx.after_commit(lambda: calls.append("never"))
            raise ValueError
    assert calls == ["first", "second"]


def test_readonly_transaction_refuses_writes(database: Database) -> None:
    with database.transaction(P1, readonly=True) as tx:
        with pytest.raises(exc.NotAllowedError, match="read-only"):
            _wf(tx, "wf")
    with database.transaction(P1, readonly=True) as tx:
        with pytest.raises(exc.NotAllowedError, match="read-only"):
            tx.workflow_executions.lock("x")
        assert tx.workflow_definitions.count() == 0


def test_size_limit_names_class_field_and_limit(database: Database) -> None:
    limited = Database(database.url, field_size_limit_kb=1)
    try:
        with pytest.raises(
            exc.SizeLimitExceededError,
            match=r"class=WorkflowExecution, field=input, size=3KB, limit=1KB",
        ):
            with limited.transaction(P1) as tx:
                tx.workflow_executions.create({"input": {"x": "a" * 2500}})
        with limited.transaction(P1) as tx:
            ex = tx.workflow_executions.create({"input": {"x": "small"}})
            task = tx.task_executions.create({"workflow_execution_id": ex.id, "name": "t"})
        with pytest.raises(exc.SizeLimitExceededError, match="class=TaskExecution, field=published"):
            with limited.transaction(P1) as tx:
                t = tx.task_executions.get(task.id)
                t.published = {"x": "b" * 5000}
        with pytest.raises(exc.SizeLimitExceededError, match="class=TaskExecution, field=in_context"):
            with limited.transaction(P1) as tx:
                tx.task_executions.update_where({"in_context": {"x": "b" * 5000}}, id=task.id)
        with pytest.raises(exc.SizeLimitExceededError, match="class=TaskExecution, field=published"):
            with limited.transaction(P1) as tx:
                tx.task_executions.get(task.id).published = {"x": "b" * 5000}
                tx.task_executions.count()  # flushes before querying
        # Definitions are not runtime fields: no limit.
        with limited.transaction(P1) as tx:
            _wf(tx, "big", spec={"x": "c" * 5000})
        with limited.transaction(P1) as tx:
            assert tx.task_executions.get(task.id).published is None
            assert tx.workflow_executions.count() == 1
    finally:
        limited.dispose()


def test_datetimes_keep_microseconds_and_compare(database: Database) -> None:
    t0 = datetime.datetime(2030, 1, 2, 3, 4, 5, 123456)
    with database.transaction(ADMIN) as tx:
        tx.scheduled_jobs.create({"handler": "task.timeout", "args": {"a": 1}, "run_at": t0, "key": "k1"})
        tx.scheduled_jobs.create({"handler": "task.timeout", "run_at": t0 + datetime.timedelta(seconds=1)})
    with database.transaction(ADMIN) as tx:
        due = tx.scheduled_jobs.list(filters={"run_at": Filter("lte", t0)})
        assert len(due) == 1 and due[0].run_at == t0 and due[0].args == {"a": 1}
    with pytest.raises(exc.DuplicateEntryError, match="key=k1"):
        with database.transaction(ADMIN) as tx:
            tx.scheduled_jobs.create({"handler": "x", "run_at": t0, "key": "k1"})


def test_transaction_that_swallowed_a_db_error_does_not_commit(database: Database) -> None:
    with pytest.raises(exc.DBError, match="failed earlier.*DuplicateEntryError"):
        with database.transaction(P1) as tx:
            _wf(tx, "wf")
            try:
                _wf(tx, "wf")
            except exc.DuplicateEntryError:
                pass
    with database.transaction(P1) as tx:
        assert tx.workflow_definitions.count() == 0


def test_update_where_claims_rows(database: Database) -> None:
    t0 = datetime.datetime(2030, 1, 1)
    with database.transaction(ADMIN) as tx:
        for i in range(3):
            tx.scheduled_jobs.create({"handler": "h", "run_at": t0})
    with database.transaction(ADMIN) as tx:
        n = tx.scheduled_jobs.update_where(
            {"captured_by": "engine-1", "captured_at": t0}, captured_at=None
        )
        assert n == 3
        assert tx.scheduled_jobs.update_where({"captured_by": "engine-2"}, captured_at=None) == 0
    with database.transaction(ADMIN) as tx:
        assert tx.scheduled_jobs.count(captured_by="engine-1") == 3


def test_thousand_rows_list_in_one_query(database: Database) -> None:
    from sqlalchemy import event

    with database.transaction(P1) as tx:
        ex = tx.workflow_executions.create({"state": "RUNNING"})
        tx.task_executions.create_many(
            [{"workflow_execution_id": ex.id, "name": f"t{i}", "published": {"i": i}}
             for i in range(1000)]
        )
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.transaction(P1, readonly=True) as tx:
            rows = tx.task_executions.list(filters={"workflow_execution_id": ex.id})
            total = sum(r.published["i"] for r in rows)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert len(rows) == 1000 and total == sum(range(1000))
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
