"""Column types shared by the models.

``JsonEncoded`` stores any JSON value as text (``LONGTEXT`` on MySQL/MariaDB, ``TEXT``
elsewhere) so the three databases behave the same and a ``has`` filter is a portable
``LIKE``. Columns built with ``limited=True`` refuse values whose JSON text is larger
than the engine's field size limit, which ``mistral.db.api.Database`` stores on its
dialect (``set_field_size_limit``): the limit is configured per database, not read from
global config. The error names the table, the field and the limit.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from mistral import exceptions as exc

_LIMIT_ATTR = "mistral_field_size_limit_bytes"

MYSQL_DIALECTS = ("mysql", "mariadb")


def set_field_size_limit(dialect: Dialect, limit_kb: int | None) -> None:
    """Set the size limit of ``limited`` JSON columns for one engine (None or <0: none)."""
    value = None if limit_kb is None or limit_kb < 0 else limit_kb * 1024
    setattr(dialect, _LIMIT_ATTR, value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False)


class LongText(TypeDecorator[str]):
    """Unbounded text: ``LONGTEXT`` on MySQL/MariaDB (whose ``TEXT`` stops at 64 KiB)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in MYSQL_DIALECTS:
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(Text())


class JsonEncoded(TypeDecorator[Any]):
    """A JSON value stored as text; ``limited`` columns obey the field size limit."""

    impl = Text
    cache_ok = True

    def __init__(self, limited: bool = False) -> None:
        super().__init__()
        self.limited = limited

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in MYSQL_DIALECTS:
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            text = dumps(value)
        except (TypeError, ValueError) as e:
            raise NotSerializableError(f"Value is not JSON serializable: {e}") from None
        if self.limited:
            limit = getattr(dialect, _LIMIT_ATTR, None)
            if limit is not None and len(text) > limit:
                # Refined with the table and field by the repository (see errors.py).
                raise FieldSizeError(len(text), limit)
        return text

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(value)


class NotSerializableError(exc.ValidationError):
    """A JSON column got a value JSON cannot hold; the field is named by ``mistral.db``."""


class FieldSizeError(exc.SizeLimitExceededError):
    """Raised while binding a too large JSON value; the field is named by ``mistral.db``."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            f"Field size limit exceeded [size={_kb(size)}KB, limit={_kb(limit)}KB]"
        )


def _kb(n: int) -> int:
    return (n + 1023) // 1024


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """Naive UTC datetimes with microseconds on every database (MySQL needs fsp=6)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in MYSQL_DIALECTS:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value


def utcnow() -> datetime.datetime:
    """Now, as the naive UTC datetime Mistral stores and serialises."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
