"""Turn oslo.db / SQLAlchemy / driver errors into ``mistral.exceptions``.

oslo.db's exception filters (installed on every engine we build) already turn driver
errors into ``oslo_db.exception`` types; this module names the entity and its key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy.exc as sa_exc
from oslo_db import exception as db_exc
from sqlalchemy import inspect

from mistral import exceptions as exc
from mistral.db import models
from mistral.db.types import FieldSizeError, JsonEncoded, NotSerializableError, dumps

LOG = logging.getLogger(__name__)


def duplicate_error(
    model: type[models.Base] | None, values: Mapping[str, Any] | None, e: db_exc.DBDuplicateEntry
) -> exc.DuplicateEntryError:
    name = model.__name__ if model is not None else "object"
    cols: tuple[str, ...] = ()
    if model is not None:
        reported = tuple(c for c in (e.columns or ()) if c in model.column_names())
        cols = reported if reported and reported != ("id",) else model.__natural_key__
        if reported == ("id",):
            cols = ("id",)
    shown = ""
    if values is not None and model is not None:
        shown = ", ".join(f"{c}={_value_or_default(model, values, c)!s}" for c in cols)
    msg = f"Duplicate entry for {name}"
    if shown:
        msg += f" [{shown}]"
    return exc.DuplicateEntryError(msg, columns=cols)


def _value_or_default(model: type[models.Base], values: Mapping[str, Any], col: str) -> Any:
    if col in values:
        return values[col]
    default = model.__table__.columns[col].default
    return default.arg if default is not None and default.is_scalar else None


def oversize_error(
    candidates: Iterable[tuple[str, str, Any]], limit: int
) -> exc.SizeLimitExceededError:
    """Find which limited JSON field of the flushed objects is too big, and say so."""
    for cls_name, field, value in candidates:
        size = len(dumps(value))
        if size > limit:
            return exc.SizeLimitExceededError(
                f"Field size limit exceeded [class={cls_name}, "
                f"field={field}, size={_kb(size)}KB, limit={_kb(limit)}KB]"
            )
    return exc.SizeLimitExceededError(f"Field size limit exceeded [limit={_kb(limit)}KB]")


def _kb(n: int) -> int:
    return (n + 1023) // 1024


def translate(
    e: BaseException,
    model: type[models.Base] | None = None,
    values: Mapping[str, Any] | None = None,
    session_objects: Iterable[tuple[str, str, Any]] = (),
) -> BaseException:
    """The domain error to raise for ``e`` (``e`` itself when it is one already)."""
    if isinstance(e, db_exc.DBError) and not isinstance(e, db_exc.DBDuplicateEntry):
        inner = e.inner_exception
        if isinstance(inner, sa_exc.StatementError):
            inner = inner.orig
        if isinstance(inner, exc.MistralError):
            e = inner
    if isinstance(e, sa_exc.StatementError) and isinstance(e.orig, exc.MistralError):
        e = e.orig
    if isinstance(e, FieldSizeError):
        candidates = list(session_objects)
        if model is not None and values:
            limited = _limited_columns(model)
            candidates += [(model.__name__, k, v) for k, v in values.items() if k in limited]
        return oversize_error(candidates, e.limit)
    if isinstance(e, NotSerializableError) and model is not None and values:
        for col in model.__table__.columns:
            if isinstance(col.type, JsonEncoded) and col.key in values:
                try:
                    dumps(values[col.key])
                except (TypeError, ValueError) as bad:
                    return exc.ValidationError(
                        f"Field '{col.key}' of {model.__display_name__.lower()} is not "
                        f"JSON serializable: {bad}"
                    )
    if isinstance(e, exc.MistralError):
        return e
    if isinstance(e, db_exc.DBDuplicateEntry):
        return duplicate_error(model, values, e)
    if isinstance(e, db_exc.DBReferenceError):
        what = model.__display_name__ if model is not None else "Row"
        return exc.InUseError(
            f"{what} is referenced by or refers to a missing row "
            f"[table={e.key_table or e.table}, key={e.key}]"
        )
    if isinstance(e, db_exc.DBConnectionError):
        return exc.DBError(f"Database connection failed: {first_line(e)}")
    if isinstance(e, db_exc.DBDeadlock):
        return exc.DBDeadlockError(
            f"Database deadlock, the transaction was rolled back: {first_line(e)}"
        )
    if isinstance(e, db_exc.DBDataError):
        return exc.ValidationError(f"Invalid value: {first_line(e)}")
    if isinstance(e, (db_exc.DBError, sa_exc.SQLAlchemyError)):
        return exc.DBError(f"Database error: {first_line(e)}")
    return e


def first_line(e: BaseException) -> str:
    inner = getattr(e, "inner_exception", None) or getattr(e, "orig", None) or e
    text = str(getattr(inner, "orig", None) or inner).strip()
    return text.splitlines()[0] if text else type(inner).__name__


def pending_objects(session: Any) -> list[tuple[str, str, Any]]:
    """(class, field, value) of every limited JSON value a flush is about to write.

    Taken before the flush: a failed flush expires the objects' attributes. Only
    references are kept, nothing is serialized.
    """
    try:
        # identity_map._modified is the cheap set of changed states (session.dirty
        # compares attribute histories).
        objs = list(session.new) + [st.obj() for st in session.identity_map._modified]
    except Exception:  # pragma: no cover - private attribute gone in a new SQLAlchemy
        objs = list(session.new)
    out = []
    for obj in objs:
        if not isinstance(obj, models.Base):
            continue
        for key in _limited_columns(type(obj)):
            value = obj.__dict__.get(key)
            if value is not None:
                out.append((type(obj).__name__, key, value))
    return out


def _limited_columns(model: type[models.Base]) -> tuple[str, ...]:
    cached = _LIMITED.get(model)
    if cached is None:
        cached = tuple(
            c.key
            for c in model.__table__.columns
            if isinstance(c.type, JsonEncoded) and c.type.limited
        )
        _LIMITED[model] = cached
    return cached


_LIMITED: dict[type, tuple[str, ...]] = {}


def loaded_values(obj: models.Base) -> dict[str, Any]:
    state = inspect(obj)
    return {k: obj.__dict__[k] for k in obj.column_names() if k not in state.unloaded}
