"""Alembic migrations: where they live and how to run them on a ``Database``.

The top-level ``alembic/`` directory is found next to the ``mistral`` package in a
source tree, or under ``<prefix>/share/mistral/alembic`` once installed (setup.cfg ships
it there as data files). It is not a Python package, so it never shadows the alembic
library.
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import mistral
from mistral import exceptions as exc
from mistral.db.api import Database


def _candidates() -> Iterator[Path]:
    yield Path(mistral.__file__).resolve().parent.parent / "alembic"
    seen = set()
    for base in (sys.prefix, sysconfig.get_path("data"), sys.base_prefix):
        if base and base not in seen:
            seen.add(base)
            yield Path(base) / "share" / "mistral" / "alembic"
    user = sysconfig.get_path("data", f"{sysconfig.get_default_scheme().split('_')[0]}_user")
    if user:
        yield Path(user) / "share" / "mistral" / "alembic"


def alembic_dir() -> Path:
    """The directory holding env.py and versions/; ConfigError when none is found."""
    tried = []
    for path in _candidates():
        if (path / "env.py").is_file():
            return path
        tried.append(str(path))
    raise exc.ConfigError("Cannot find the alembic migrations; looked in: " + ", ".join(tried))


def make_config(connection: Any = None, stdout: Any = None) -> Config:
    cfg = Config(stdout=stdout or sys.stdout)
    cfg.set_main_option("script_location", str(alembic_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    with db.engine.begin() as conn:
        command.upgrade(make_config(conn), revision)


def downgrade(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        command.downgrade(make_config(conn), revision)


def stamp(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        command.stamp(make_config(conn), revision)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(make_config()).get_current_head()
