"""Alembic environment for mistral.

``mistral-db-manage`` (``mistral.db.migration``) hands over an open connection in
``config.attributes['connection']``; plain ``alembic -x url=...`` also works for
development. Migrations render in batch mode so SQLite can alter tables.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

from mistral.db import models, types

config = context.config
target_metadata = models.Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our column types as plain SQLAlchemy types, so migrations stand alone."""
    if type_ != "type":
        return False
    autogen_context.imports.add("from sqlalchemy.dialects import mysql")
    variants = '"mysql", "mariadb"'
    if isinstance(obj, (types.JsonEncoded, types.LongText)):
        return f"sa.Text().with_variant(mysql.LONGTEXT(), {variants})"
    if isinstance(obj, types.UTCDateTime):
        return f"sa.DateTime().with_variant(mysql.DATETIME(fsp=6), {variants})"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
