"""The data-access API: ``Database`` owns the engine, ``Transaction`` is one unit of work.

Concurrency model
-----------------
* One ``with db.transaction(ctx) as tx:`` is one database transaction on its own
  SQLAlchemy ``Session``; it commits on exit and rolls back on an exception. Nothing
  is shared between transactions, nothing is stored in thread-locals.
* PostgreSQL and MySQL/MariaDB run at READ COMMITTED. ``tx.workflow_executions.lock(id)``
  is ``SELECT ... FOR UPDATE``: a second transaction locking the same execution waits
  until the first ends; different executions proceed in parallel.
* SQLite allows one writer at a time. A write transaction takes the ``Database``'s
  writer lock (an in-process lock, so threads queue instead of polling) and then
  ``BEGIN IMMEDIATE`` (so writers in other processes wait on ``busy_timeout`` instead
  of failing with "database is locked" halfway through). Holding the writer lock
  implies holding every execution's lock. Read-only transactions
  (``transaction(ctx, readonly=True)``) take no lock and read a WAL snapshot.
* ``tx.after_commit(fn)`` runs ``fn()`` after a successful commit, once the writer lock
  is released, in the order queued. A failing callback is logged; the others still run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import sqlalchemy
import sqlalchemy.exc as sa_exc
from oslo_db import exception as db_exc
from sqlalchemy.engine import Engine, Result, make_url
from sqlalchemy.orm import Session

from mistral import exceptions as exc
from mistral.context import RequestContext
from mistral.db import errors, models
from mistral.db.engine import IN_TRANSACTION, create_engine, is_memory
from mistral.db.repositories import Repository, WorkflowExecutionRepository
from mistral.db.types import set_field_size_limit

LOG = logging.getLogger(__name__)



class _HideOwnErrors(logging.Filter):
    """oslo.db logs every non-driver error it wraps; ours (field size) are not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_value = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc_value, exc.MistralError)


logging.getLogger("oslo_db.sqlalchemy.exc_filters").addFilter(_HideOwnErrors())


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _ensure_sqlite_dir(url: str) -> None:
    """The embedded default is a file under state_path: create its directory."""
    try:
        parsed = make_url(url)
    except Exception:
        return  # create_engine reports the bad URL
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        except OSError as e:
            raise exc.ConfigError(f"Cannot create the directory of '{parsed.database}': {e}") from None


class Database:
    """The engine for one database URL, and the factory of transactions.

    ``engine_opts`` go to ``oslo_db.sqlalchemy.engines.create_engine`` (max_pool_size,
    connection_recycle_time, max_retries, ...). ``field_size_limit_kb`` bounds the
    runtime JSON fields (``[engine] execution_field_size_limit_kb``; None or -1: none).
    ``sqlite_busy_timeout`` is in seconds.
    """

    def __init__(
        self,
        url: str,
        *,
        field_size_limit_kb: int | None = None,
        sqlite_busy_timeout: float = 30.0,
        **engine_opts: Any,
    ) -> None:
        self.url = url
        _ensure_sqlite_dir(url)
        try:
            engine = create_engine(url, sqlite_busy_timeout, **engine_opts)
        except (sa_exc.ArgumentError, ValueError, ImportError) as e:
            raise exc.ConfigError(
                f"Invalid [database] connection '{safe_url(url)}': {e}"
            ) from None
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            raise errors.translate(e) from None
        self.dialect_name = engine.dialect.name
        self.is_sqlite = self.dialect_name == "sqlite"
        self._raw_engine = engine
        self.engine: Engine = engine
        set_field_size_limit(engine.dialect, field_size_limit_kb)
        self.field_size_limit_kb = field_size_limit_kb
        self._writer_lock = threading.Lock()
        self._writer: int | None = None
        self._memory = self.is_sqlite and is_memory(engine.url)

    # -- schema (tests; production uses alembic) ----------------------------------

    def create_schema(self) -> None:
        try:
            models.Base.metadata.create_all(self._raw_engine)
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            raise errors.translate(e) from None

    def drop_schema(self) -> None:
        try:
            models.Base.metadata.drop_all(self._raw_engine)
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            raise errors.translate(e) from None

    def dispose(self) -> None:
        self._raw_engine.dispose()

    def check_connection(self) -> None:
        """Raise ``DBError`` (one line) when the database cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            raise exc.DBError(
                f"Cannot connect to the database '{safe_url(self.url)}': {errors.first_line(e)}"
            ) from None

    # -- transactions -------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(
        self, ctx: RequestContext | None = None, readonly: bool = False
    ) -> Iterator[Transaction]:
        """One unit of work. ``ctx`` defaults to the admin (service) context."""
        ctx = ctx if ctx is not None else RequestContext(is_admin=True)
        exclusive = self.is_sqlite and (not readonly or self._memory)
        if exclusive:
            self._acquire_writer()
        try:
            conn = self._begin(readonly)
            session = Session(
                bind=conn,
                expire_on_commit=False,
                autoflush=True,
                join_transaction_mode="rollback_only",
            )
            tx = Transaction(self, session, ctx, readonly)
            try:
                yield tx
                if readonly:
                    session.rollback()
                    conn.rollback()
                else:
                    if tx.failed is not None:
                        raise exc.DBError(
                            "Transaction rolled back: a statement in it failed earlier "
                            f"({type(tx.failed).__name__}: {tx.failed}); use "
                            "tx.savepoint() around writes that may fail"
                        )
                    tx.flush()
                    session.commit()
                    conn.commit()
            except BaseException as e:
                _rollback_quietly(session, conn)
                translated = errors.translate(e)
                if translated is e:
                    raise
                raise translated from None
            finally:
                session.close()
                conn.close()
        finally:
            if exclusive:
                self._release_writer()
        tx._run_after_commit()

    def _begin(self, readonly: bool) -> sqlalchemy.Connection:
        try:
            conn = self.engine.connect()
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            raise errors.translate(e) from None
        try:
            if self.is_sqlite:
                # The engine's begin hook would emit a plain BEGIN; open the
                # transaction ourselves, IMMEDIATE for writers so they queue for the
                # write lock up front instead of failing to upgrade a read lock later.
                conn.info[IN_TRANSACTION] = True
                # straight to the driver: the statement needs none of SQLAlchemy's
                # execution machinery (a third of an empty transaction's cost)
                conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    "BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")
            else:
                conn.begin()
            return conn
        except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
            conn.info.pop(IN_TRANSACTION, None)
            conn.close()
            raise errors.translate(e) from None
        except sqlite3.Error as e:  # from the driver itself (a busy database ...)
            conn.info.pop(IN_TRANSACTION, None)
            conn.close()
            raise exc.DBError(f"Cannot begin a transaction: {e}") from None

    def _acquire_writer(self) -> None:
        me = threading.get_ident()
        if self._writer == me:
            raise exc.DBError(
                "Nested write transaction on SQLite in one thread: finish the outer "
                "transaction first (it holds the database's only writer lock)"
            )
        self._writer_lock.acquire()
        self._writer = me

    def _release_writer(self) -> None:
        self._writer = None
        self._writer_lock.release()


def _rollback_nested(nested: Any) -> None:
    try:
        nested.rollback()
    except sa_exc.InvalidRequestError:  # already closed
        pass


def _rollback_quietly(session: Session, conn: sqlalchemy.Connection) -> None:
    try:
        session.rollback()
        conn.rollback()
    except Exception:  # the connection may be gone; the transaction is over anyway
        LOG.debug("Rollback failed", exc_info=True)


class Transaction:
    """One unit of work: repositories, ``after_commit``, ``savepoint``."""

    workbooks: Repository[models.Workbook]
    workbooks_v1: Repository[models.WorkbookV1]
    workflow_definitions: Repository[models.WorkflowDefinition]
    action_definitions: Repository[models.ActionDefinition]
    code_sources: Repository[models.CodeSource]
    dynamic_actions: Repository[models.DynamicActionDefinition]
    workflow_executions: WorkflowExecutionRepository
    task_executions: Repository[models.TaskExecution]
    action_executions: Repository[models.ActionExecution]
    cron_triggers: Repository[models.CronTrigger]
    environments: Repository[models.Environment]
    event_triggers: Repository[models.EventTrigger]
    resource_members: Repository[models.ResourceMember]
    scheduled_jobs: Repository[models.ScheduledJob]

    def __init__(
        self, db: Database, session: Session, ctx: RequestContext, readonly: bool
    ) -> None:
        self.db = db
        self.session = session
        self.ctx = ctx
        self.readonly = readonly
        self._after_commit: list[Callable[[], Any]] = []
        # The first database error raised inside this transaction outside a savepoint.
        self.failed: BaseException | None = None
        self.workbooks = Repository(self, models.Workbook)
        self.workbooks_v1 = Repository(self, models.WorkbookV1)
        self.workflow_definitions = Repository(self, models.WorkflowDefinition)
        self.action_definitions = Repository(self, models.ActionDefinition)
        self.code_sources = Repository(self, models.CodeSource)
        self.dynamic_actions = Repository(self, models.DynamicActionDefinition)
        self.workflow_executions = WorkflowExecutionRepository(self, models.WorkflowExecution)
        self.task_executions = Repository(self, models.TaskExecution)
        self.action_executions = Repository(self, models.ActionExecution)
        self.cron_triggers = Repository(self, models.CronTrigger)
        self.environments = Repository(self, models.Environment)
        self.event_triggers = Repository(self, models.EventTrigger)
        self.resource_members = Repository(self, models.ResourceMember)
        self.scheduled_jobs = Repository(self, models.ScheduledJob)

    @contextlib.contextmanager
    def acting_as(self, ctx: RequestContext) -> Iterator["Transaction"]:
        """Run what follows as ``ctx`` (its project's rows, its rights), then switch back.
        The engine acts as an execution's owner once it has locked the row."""
        before, self.ctx = self.ctx, ctx
        try:
            yield self
        finally:
            self.ctx = before

    def after_commit(self, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` after this transaction commits; dropped on rollback."""
        self._after_commit.append(fn)

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an error inside rolls back only what it did.

        Use it around a write that may clash (e.g. a create that can be a duplicate)
        when the transaction must go on after the error.
        """
        nested = self.session.begin_nested()
        failed = self.failed
        try:
            yield
            self.flush()
            nested.commit()
        except BaseException:
            _rollback_nested(nested)
            self.failed = failed
            raise

    def require_writable(self, what: str) -> None:
        if self.readonly:
            raise exc.NotAllowedError(f"Cannot {what} in a read-only transaction")

    def flush(
        self, model: type[models.Base] | None = None, values: Mapping[str, Any] | None = None
    ) -> None:
        if self.readonly and (self.session.new or self.session.dirty or self.session.deleted):
            raise exc.NotAllowedError("Cannot write in a read-only transaction")
        limited = self.db.field_size_limit_kb is not None and self.db.field_size_limit_kb >= 0
        pending = errors.pending_objects(self.session) if limited else []
        try:
            self.session.flush()
        except (db_exc.DBError, sa_exc.SQLAlchemyError, exc.MistralError) as e:
            self.failed = errors.translate(e, model, values, pending)
            raise self.failed from None

    def execute(
        self,
        stmt: Any,
        model: type[models.Base] | None = None,
        values: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Result[Any]:
        self._prepare(stmt, model)
        try:
            with self.session.no_autoflush:  # flushed above when the statement needs it
                return self.session.execute(stmt, params)
        except (db_exc.DBError, sa_exc.SQLAlchemyError, exc.MistralError) as e:
            self.failed = errors.translate(e, model, values)
            raise self.failed from None

    def execute_core(
        self,
        stmt: Any,
        model: type[models.Base] | None = None,
        values: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Result[Any]:
        """``execute`` for a statement that needs nothing of the ORM (a bulk UPDATE or
        DELETE, a count): run on the session's connection, without the ORM's execution
        machinery (several times cheaper). Rows it changes are not refreshed in the
        session, as with ``synchronize_session=False``."""
        self._prepare(stmt, model)
        try:
            return self.session.connection().execute(stmt, params)
        except (db_exc.DBError, sa_exc.SQLAlchemyError, exc.MistralError) as e:
            self.failed = errors.translate(e, model, values)
            raise self.failed from None

    def _prepare(self, stmt: Any, model: type[models.Base] | None) -> None:
        """Before ``stmt`` runs: refuse a write in a read-only transaction, and flush the
        pending changes it needs here rather than as an autoflush inside execute(), so a
        failing flush is reported with the entity and field it concerns."""
        if self.readonly:
            if not isinstance(stmt, sqlalchemy.Select):
                raise exc.NotAllowedError("Cannot write in a read-only transaction")
        elif self._must_flush(stmt, model):
            self.flush()

    def _must_flush(self, stmt: Any, model: type[models.Base] | None) -> bool:
        """Whether pending changes must reach the database before ``stmt``: always for a
        write or a statement on an unknown table; for a ``SELECT`` of ``model``'s table
        only when a row of that table (or a membership, which decides visibility) is
        new, changed or deleted in this session. Changes wait and go together (one
        flush, one statement per row) instead of a flush before every read."""
        if model is None or not isinstance(stmt, sqlalchemy.Select):
            return True
        session = self.session
        for objs in (session.new, session.dirty, session.deleted):
            for obj in objs:
                if type(obj) is model or type(obj) is models.ResourceMember:
                    return True
        return False

    def execute_scalars(
        self,
        stmt: Any,
        model: type[models.Base] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        return self.execute(stmt, model, params=params).scalars()

    def _run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for fn in callbacks:
            try:
                fn()
            except Exception:
                LOG.exception("After-commit callback %r failed", fn)
