"""Building the SQLAlchemy engine for a URL.

PostgreSQL and MySQL/MariaDB engines come from ``oslo_db.sqlalchemy.engines`` (pool
settings, pre-ping, SQL mode, exception filters); both run at READ COMMITTED
(PostgreSQL's default; set per connection on MySQL/MariaDB). SQLite gets its own, smaller setup:
oslo.db opens a new SQLite connection for every transaction (NullPool), which costs
more than the transaction itself; here connections are pooled and configured once
(WAL, busy_timeout, foreign keys), and oslo.db's exception filters are installed so
errors look the same on every backend. pysqlite's implicit transactions are switched
off; ``BEGIN`` is emitted explicitly (``mistral.db.api`` chooses IMMEDIATE for writers).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy
from oslo_db.sqlalchemy import engines, exc_filters
from sqlalchemy import pool
from sqlalchemy.engine import URL, Engine, make_url

IN_TRANSACTION = "in_transaction"  # the conn.info key oslo.db uses too


def create_engine(url: str, sqlite_busy_timeout: float = 30.0, **opts: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_busy_timeout, **opts)
    defaults: dict[str, Any] = {"max_retries": 0}
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        defaults["mysql_sql_mode"] = "TRADITIONAL"
        if "charset" not in parsed.query:
            # oslo.db would pick utf8 (3 bytes): emoji and other 4-byte characters
            # could not reach the utf8mb4 tables.
            url = parsed.update_query_dict({"charset": "utf8mb4"}).render_as_string(
                hide_password=False
            )
    defaults.update(opts)
    defaults.pop("sqlite_fk", None)
    engine = engines.create_engine(url, **defaults)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        # REPEATABLE READ (MySQL's default) would pin a snapshot at a transaction's
        # first read, before it locks an execution. Set once per connection: an
        # engine-wide execution option would cost two round trips per transaction.
        @sqlalchemy.event.listens_for(engine, "connect")
        def _read_committed(dbapi_con: Any, _record: Any) -> None:
            cur = dbapi_con.cursor()
            cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cur.close()

    return engine


def is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def _sqlite_engine(
    url: URL,
    busy_timeout: float,
    max_pool_size: int | None = None,
    sqlite_synchronous: bool = True,
    connection_debug: int = 0,
    **_ignored: Any,
) -> Engine:
    memory = is_memory(url)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = pool.StaticPool
    else:
        kwargs["poolclass"] = pool.QueuePool
        kwargs["pool_size"] = max_pool_size or 5
        kwargs["max_overflow"] = 20
    if connection_debug >= 50:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    engine = sqlalchemy.create_engine(url, **kwargs)

    @sqlalchemy.event.listens_for(engine, "connect")
    def _configure(dbapi_con: Any, _record: Any) -> None:
        dbapi_con.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_con.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=" + ("NORMAL" if sqlite_synchronous else "OFF"))
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(conn: sqlalchemy.Connection) -> None:
        if IN_TRANSACTION not in conn.info:
            conn.exec_driver_sql("BEGIN")
            conn.info[IN_TRANSACTION] = True

    @sqlalchemy.event.listens_for(engine, "commit")
    @sqlalchemy.event.listens_for(engine, "rollback")
    def _end(conn: sqlalchemy.Connection) -> None:
        conn.info.pop(IN_TRANSACTION, None)

    exc_filters.register_engine(engine)
    return engine
