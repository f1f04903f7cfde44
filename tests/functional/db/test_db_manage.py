"""``mistral-db-manage`` as an operator runs it: the console script, in a subprocess."""

from __future__ import annotations

import re

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mistral.db import migration
from mistral.db.api import Database


def _script() -> str:
    found = Path(sys.executable).parent / "mistral-db-manage"
    if found.exists():
        return str(found)
    which = shutil.which("mistral-db-manage")
    assert which, "mistral-db-manage is not installed (pip install -e .)"
    return which


def _run(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    conf = tmp_path / "mistral.conf"
    conf.write_text(f"[database]\nconnection = {url}\n")
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run(
        [_script(), "--config-file", str(conf), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(tmp_path),  # alembic/ must be found from the package, not the cwd
    )


def test_upgrade_twice_then_current(db_url: str, tmp_path: Path) -> None:
    first = _run(tmp_path, db_url, "upgrade", "head")
    assert first.returncode == 0, first.stderr
    assert "Running upgrade  -> 001" in first.stderr
    second = _run(tmp_path, db_url, "upgrade", "head")
    assert second.returncode == 0, second.stderr
    assert "Running upgrade" not in second.stderr
    current = _run(tmp_path, db_url, "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.split() == [migration.head_revision(), "(head)"]
    db = Database(db_url)
    try:
        assert migration.current_revision(db) == migration.head_revision()
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "url, message",
    [
        (
            "postgresql://user:s3cret@127.0.0.1:1/nope",
            "Cannot connect to the database 'postgresql://user:***@127.0.0.1:1/nope'",
        ),
        ("nosuchdriver://x/y", "Invalid [database] connection 'nosuchdriver://x/y'"),
    ],
)
def test_bad_connection_is_one_line_and_exit_1(tmp_path: Path, url: str, message: str) -> None:
    result = _run(tmp_path, url, "upgrade", "head")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("mistral-db-manage: error: ")
    assert message in errors[0]
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr


def test_history_and_stamp_unknown_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state' / 'mistral.db'}"
    db = Database(url)
    db.create_schema()  # tables, but no alembic version
    db.dispose()
    unversioned = _run(tmp_path, url, "upgrade", "head")
    assert unversioned.returncode == 1
    assert "no schema version" in unversioned.stderr and "stamp head" in unversioned.stderr
    stamped = _run(tmp_path, url, "stamp", "head")
    assert stamped.returncode == 0, stamped.stderr
    history = _run(tmp_path, url, "history")
    assert history.returncode == 0, history.stderr
    assert re.search(r"-> \d{3} \(head\)", history.stdout), history.stdout
    bad = _run(tmp_path, url, "stamp", "nope")
    assert bad.returncode == 1
    assert "Can't locate revision identified by 'nope'" in bad.stderr
    assert "Traceback" not in bad.stderr
