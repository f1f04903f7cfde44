"""Shared test fixtures.

Real services only: PostgreSQL (127.0.0.1:5432, trust), MariaDB (127.0.0.1:3306, root, no
password), RabbitMQ (127.0.0.1:5672, guest/guest) and Redis (127.0.0.1:6379). A test that
needs one which is down is skipped on a developer's machine and FAILS under ``CI=true``.
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
