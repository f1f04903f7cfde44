"""Database construction, error translation and text filters from query strings."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db.api import Database
from mistral.db.filters import Filter, parse_filter

CTX = RequestContext(project_id="p1")


def test_bad_url_is_a_config_error_without_password() -> None:
    with pytest.raises(exc.ConfigError, match=r"Invalid \[database\] connection 'nosuch://u:\*\*\*@h/d'"):
        Database("nosuch://u:secret@h/d")


def test_unreachable_server_is_a_db_error() -> None:
    db = Database("postgresql+psycopg2://postgres@127.0.0.1:1/nope")
    try:
        with pytest.raises(exc.DBError) as info:
            with db.transaction(CTX) as tx:
                tx.workflow_executions.count()
        assert "\n" not in str(info.value)
        with pytest.raises(exc.DBError, match="Cannot connect to the database 'postgresql"):
            db.check_connection()
    finally:
        db.dispose()


def test_sqlite_file_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "state" / "deeper" / "mistral.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.create_schema()
        with db.transaction(CTX) as tx:
            tx.environments.create({"name": "env", "variables": {"a": 1}})
        assert path.exists()
    finally:
        db.dispose()


def test_in_memory_sqlite_serves_many_threads() -> None:
    db = Database("sqlite://")
    db.create_schema()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                with db.transaction(CTX) as tx:
                    tx.workflow_executions.create({"state": "RUNNING"})
                with db.transaction(CTX, readonly=True) as tx:
                    tx.workflow_executions.count()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with db.transaction(CTX) as tx:
        assert tx.workflow_executions.count() == 40
    db.dispose()


def test_parse_filter_reads_mistral_query_syntax() -> None:
    assert parse_filter("RUNNING") == Filter("eq", "RUNNING")
    assert parse_filter("neq:RUNNING") == Filter("neq", "RUNNING")
    assert parse_filter("in:a,b,c") == Filter("in", ["a", "b", "c"])
    assert parse_filter("nin:a") == Filter("nin", ["a"])
    assert parse_filter("gte:2024-01-01") == Filter("gte", "2024-01-01")
    assert parse_filter("has:tag") == Filter("has", "tag")
    assert parse_filter("http://x") == Filter("eq", "http://x")  # unknown prefix
    with pytest.raises(exc.ValidationError, match="needs a list"):
        Filter("in", "a")


def test_text_filter_values_are_coerced_to_column_types(database: Database) -> None:
    with database.transaction(CTX) as tx:
        tx.workflow_executions.create({"state": "RUNNING", "accepted": True})
        tx.workflow_executions.create({"state": "SUCCESS", "accepted": False})
        tx.scheduled_jobs.create(
            {"handler": "h", "run_at": datetime.datetime(2030, 1, 1, 12, 0, 0)}
        )
    with database.transaction(CTX) as tx:
        assert tx.workflow_executions.count(accepted="true") == 1
        assert tx.workflow_executions.count(accepted=parse_filter("in:true,false")) == 2
        assert tx.workflow_executions.count(created_at=parse_filter("gt:2000-01-01")) == 2
        assert tx.workflow_executions.count(created_at=parse_filter("lt:2000-01-01T00:00:00Z")) == 0
        assert tx.scheduled_jobs.count(run_at="2030-01-01 12:00:00") == 1
        with pytest.raises(exc.ValidationError, match="Invalid datetime value 'soon' for filter field 'created_at'"):
            tx.workflow_executions.count(created_at=parse_filter("gt:soon"))
        with pytest.raises(exc.ValidationError, match="Invalid boolean"):
            tx.workflow_executions.count(accepted="maybe")


def test_rows_cannot_move_to_another_project(database: Database) -> None:
    with database.transaction(CTX) as tx:
        env = tx.environments.create({"name": "env"})
        with pytest.raises(exc.NotAllowedError, match="another project"):
            tx.environments.update(env.id, {"project_id": "p2"})
        with pytest.raises(exc.ValidationError, match="id of a row"):
            tx.environments.update(env.id, {"id": "other"})


def test_to_dict_has_every_column_of_a_full_row(database: Database) -> None:
    with database.transaction(CTX) as tx:
        env = tx.environments.create({"name": "env", "variables": {"k": [1, 2]}})
    d = env.to_dict()
    assert d["variables"] == {"k": [1, 2]} and d["scope"] == "private"
    assert set(d) == {c for c in type(env).column_names()}


def test_json_field_must_be_serializable(database: Database) -> None:
    with pytest.raises(exc.ValidationError, match="Field 'input' of workflow execution is not JSON serializable"):
        with database.transaction(CTX) as tx:
            tx.workflow_executions.create({"input": {"f": object()}})
    with database.transaction(CTX) as tx:
        assert tx.workflow_executions.count() == 0


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_json_round_trips_unchanged(database: Database) -> None:
    value = {
        "unicode": "\u00e9\u4e2d\U0001f600",
        "nested": {"list": [1, 2.5, None, True, False, {"deep": ["x"]}]},
        "big": 2**62,
        "empty": {},
        "quote": 'say "hi" \\ bye',
    }
    when = datetime.datetime(2030, 5, 6, 7, 8, 9, 10)
    with database.transaction(CTX) as tx:
        ex = tx.workflow_executions.create(
            {"input": value, "output": [], "params": {"at": when}, "context": None}
        )
    with database.transaction(CTX) as tx:
        got = tx.workflow_executions.get(ex.id)
    assert got.input == value
    assert got.output == []
    assert got.params == {"at": "2030-05-06T07:08:09.000010"}  # datetimes become ISO text
    assert got.context is None


def test_mysql_url_without_charset_still_stores_4_byte_characters(_schema_databases) -> None:
    base = _schema_databases.get("mariadb")
    db = Database(base.url.replace("?charset=utf8mb4", ""))
    try:
        with db.transaction(CTX) as tx:
            env = tx.environments.create({"name": "emoji-\U0001f600", "variables": {"k": "\U0001f680"}})
        with db.transaction(CTX) as tx:
            assert tx.environments.get(env.id).name == "emoji-\U0001f600"
            tx.environments.delete(env.id)
    finally:
        db.dispose()
