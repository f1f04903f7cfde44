"""Shared test fixtures.

Real services only: PostgreSQL (127.0.0.1:5432, trust), MariaDB (127.0.0.1:3306, root, no
password), RabbitMQ (127.0.0.1:5672, guest/guest) and Redis (127.0.0.1:6379). A test that
needs one which is down is skipped on a developer's machine and FAILS under ``CI=true``.

Database fixtures (see the "Databases" section below):

* ``database``: a ``mistral.db.api.Database`` with the schema created, parametrized over
  sqlite / postgresql / mariadb (one database per xdist worker and backend, dropped at
  session end); every row is deleted after each test.
* ``sqlite_database``: the same on SQLite only, for functional tests that need not run
  on every backend.
* ``db_url``: the URL of a fresh, empty database per test (three backends), dropped
  after it; for migration and ``mistral-db-manage`` tests.

``keystone``: a real Keystone 30 for the whole run (see ``tests/keystone.py``).
"""

from __future__ import annotations

import os
import socket

import pytest

SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "mariadb": ("127.0.0.1", 3306),
    "rabbitmq": ("127.0.0.1", 5672),
    "redis": ("127.0.0.1", 6379),
}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_service(name: str) -> None:
    """Skip (or, under CI=true, fail) the calling test when the named service is down."""
    host, port = SERVICES[name]
    if _port_open(host, port):
        return
    msg = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " (CI=true: a missing service is a failure)")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def keystone(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A real Keystone 30 (``tests/keystone.py``): ``.url``, ``.admin``,
    ``.make_project_user(prefix)``, ``.token(creds)``, ``.register_service(...)``,
    ``.revoke(token)``. One server per test run; skipped (CI: failed) if it cannot start."""
    from tests.keystone import session_fixture

    yield from session_fixture(tmp_path_factory)


# ---------------------------------------------------------------------------
# Databases (owned by the data layer).
#
# ``db_url``          a fresh, empty database per test, parametrized over sqlite /
#                     postgresql / mariadb; server databases are named
#                     mistral_test_<xdist worker>_<random> and dropped after the test.
# ``database``        a ``mistral.db.api.Database`` with the schema created (once per
#                     worker and backend), parametrized over the three backends; every
#                     row is deleted after each test.
# ``sqlite_database`` the same on SQLite only, for functional tests that do not need
#                     to run on every backend.
# Server-backed variants call ``require_service`` first.
# ---------------------------------------------------------------------------

DB_BACKENDS = ("sqlite", "postgresql", "mariadb")


def _test_db_name() -> str:
    import secrets

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"mistral_test_{worker}_{secrets.token_hex(4)}"


def create_test_database(backend: str, tmp_dir: str) -> tuple[str, object]:
    """Create an empty database; returns (url, drop callable)."""
    name = _test_db_name()
    if backend == "sqlite":
        path = os.path.join(tmp_dir, name + ".db")
        return f"sqlite:///{path}", lambda: None
    require_service(backend)
    if backend == "postgresql":
        import psycopg2

        def admin(sql: str) -> None:
            con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
            con.autocommit = True
            try:
                with con.cursor() as cur:
                    cur.execute(sql)
            finally:
                con.close()

        admin(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        return (
            f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}",
            lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
        )
    import pymysql

    def admin_my(sql: str) -> None:
        con = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
        try:
            with con.cursor() as cur:
                cur.execute(sql)
        finally:
            con.close()

    admin_my(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    return (
        f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4",
        lambda: admin_my(f"DROP DATABASE IF EXISTS `{name}`"),
    )


@pytest.fixture(params=DB_BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> object:
    url, drop = create_test_database(request.param, str(tmp_path))
    yield url
    drop()


class _SchemaDatabases:
    """One schema'd ``Database`` per backend for this worker, made on first use."""

    def __init__(self, tmp_dir: str) -> None:
        self.tmp_dir = tmp_dir
        self.dbs: dict[str, object] = {}
        self.drops: list[object] = []

    def get(self, backend: str) -> object:
        if backend not in self.dbs:
            from mistral.db.api import Database

            url, drop = create_test_database(backend, self.tmp_dir)
            db = Database(url)
            db.create_schema()
            self.dbs[backend] = db
            self.drops.append(drop)
        elif backend != "sqlite":
            require_service(backend)
        return self.dbs[backend]

    def close(self) -> None:
        for db in self.dbs.values():
            db.dispose()
        for drop in self.drops:
            drop()


@pytest.fixture(scope="session")
def _schema_databases(tmp_path_factory: pytest.TempPathFactory) -> object:
    holder = _SchemaDatabases(str(tmp_path_factory.mktemp("db")))
    yield holder
    holder.close()


def _clean(db: object) -> None:
    from mistral.db.models import Base

    with db.engine.begin() as conn:  # type: ignore[attr-defined]
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=DB_BACKENDS)
def database(request: pytest.FixtureRequest, _schema_databases: object) -> object:
    db = _schema_databases.get(request.param)  # type: ignore[attr-defined]
    yield db
    _clean(db)


@pytest.fixture
def sqlite_database(_schema_databases: object) -> object:
    db = _schema_databases.get("sqlite")  # type: ignore[attr-defined]
    yield db
    _clean(db)
