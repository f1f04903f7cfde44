"""Per-run isolation on the shared real services: a RabbitMQ vhost, a PostgreSQL database.

Parallel test runs (pytest -n, several engineers) must not steal each other's messages
or rows, so every run makes its own and drops it afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _rabbitmqctl(*args: str, attempts: int = 5) -> None:
    """rabbitmqctl, retried: concurrent CLI calls on a busy machine fail now and then (69)."""
    exe = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    for attempt in range(1, attempts + 1):
        try:
            subprocess.run([exe, "-q", *args], check=True, capture_output=True, timeout=60)
            return
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            if attempt == attempts:
                raise
            time.sleep(attempt)


@contextlib.contextmanager
def rabbit_vhost() -> Iterator[str]:
    """A fresh vhost for guest; yields its ``rabbit://`` transport URL."""
    from tests.conftest import require_service

    require_service("rabbitmq")
    name = "mistral-test-" + uuid.uuid4().hex[:12]
    try:
        _rabbitmqctl("add_vhost", name)
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    except (OSError, subprocess.SubprocessError) as e:
        pytest.fail(f"cannot create a RabbitMQ vhost with rabbitmqctl: {e}")
    try:
        yield f"rabbit://guest:guest@127.0.0.1:5672/{name}"
    finally:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            _rabbitmqctl("delete_vhost", name)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its SQLAlchemy URL."""
    import sqlalchemy as sa

    from tests.conftest import require_service

    require_service("postgresql")
    name = "mistral_test_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
