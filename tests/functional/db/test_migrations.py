"""The alembic migrations build exactly the schema of the models, on every backend."""

from __future__ import annotations

import pprint

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mistral.db import migration, models
from mistral.db.api import Database


def _diff(db: Database) -> list:
    with db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(mc, models.Base.metadata)


def test_upgrade_head_matches_models_and_downgrade_empties(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert migration.current_revision(db) is None
        migration.upgrade(db)
        assert migration.current_revision(db) == migration.head_revision()
        diff = _diff(db)
        assert diff == [], "schema drift between alembic/ and mistral.db.models:\n" + pprint.pformat(diff)
        if db.dialect_name in ("mysql", "mariadb"):
            # compare_metadata does not look at table options; check them here.
            with db.engine.connect() as conn:
                rows = conn.exec_driver_sql(
                    "SELECT table_name, engine, table_collation FROM information_schema.tables"
                    " WHERE table_schema = DATABASE() AND table_name != 'alembic_version'"
                ).all()
            assert len(rows) == len(models.Base.metadata.tables)
            assert {(r[1], r[2]) for r in rows} == {("InnoDB", "utf8mb4_bin")}
        # The migrated schema is usable through the repositories.
        with db.transaction() as tx:
            ex = tx.workflow_executions.create({"state": "RUNNING", "context": {"a": [1]}})
            tx.task_executions.create({"workflow_execution_id": ex.id, "name": "t"})
        migration.upgrade(db)  # twice: a no-op
        migration.downgrade(db, "base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        db.dispose()


def test_create_schema_equals_migrations(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.create_schema()
        assert _diff(db) == []
    finally:
        db.dispose()
