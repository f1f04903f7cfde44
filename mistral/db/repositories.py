"""Repositories: the queries on one table, inside one ``Transaction``.

Every read of a project-scoped table sees the caller's own rows, public rows and rows
shared with the caller's project through ``resource_members`` (status 'accepted');
writes (update, delete) touch only the caller's own rows. An admin context sees and
writes everything.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy import update as sa_update
from sqlalchemy import inspect
from sqlalchemy.orm import load_only
from sqlalchemy.sql.elements import ColumnClause

from mistral import exceptions as exc
from mistral.db import errors, models
from mistral.db.filters import LIST_OPS, Filter, coerce
from mistral.db.types import JsonEncoded

if TYPE_CHECKING:
    from mistral.db.api import Transaction

M = TypeVar("M", bound=models.Base)

SORT_DIRS = ("asc", "desc")
PROJECT_PARAM = "ctx_project_id"
ID_PARAM = "row_id"
_BY_ID: dict[tuple[Any, str, bool], Select[Any]] = {}
#: statements by shape (model, operation, admin or not, fields, filter fields and
#: operators, order, limit): built once with bound parameters, so a repeated query costs
#: neither building the statement nor its SQL cache key again
_SHAPES: dict[tuple[Any, ...], Any] = {}
_SHAPES_MAX = 4096


class Repository(Generic[M]):
    def __init__(self, tx: Transaction, model: type[M]) -> None:
        self._tx = tx
        self.model = model
        self._columns = model.__table__.columns

    # -- visibility -------------------------------------------------------------

    def _project(self) -> Any:
        # One named parameter: cached statements get the value at execution time.
        return bindparam(PROJECT_PARAM, self._tx.ctx.project_id)

    def _visible(self) -> ColumnElement[bool]:
        ctx = self._tx.ctx
        m: Any = self.model
        project = self._project()
        if ctx.is_admin:
            return true()
        if self.model is models.ResourceMember:
            return or_(m.project_id == project, m.member_id == project)
        if not self.model.__project_scoped__:
            return true()
        cond = or_(m.project_id == project, m.scope == "public")
        rtype = self.model.__member_resource_type__
        if rtype:
            rm = models.ResourceMember
            shared = select(rm.resource_id).where(
                rm.resource_type == rtype,
                rm.member_id == project,
                rm.status == "accepted",
            )
            cond = or_(cond, m.id.in_(shared))
        return cond

    def _writable(self) -> ColumnElement[bool]:
        ctx = self._tx.ctx
        m: Any = self.model
        if ctx.is_admin or not (self.model.__project_scoped__ or m is models.ResourceMember):
            return true()
        if m is models.ResourceMember:
            return or_(m.project_id == self._project(), m.member_id == self._project())
        return m.project_id == self._project()

    def _by_id(self, kind: str) -> Select[Any]:
        """Cached ``SELECT`` of one row by id (kind: visible | writable | lock)."""
        key = (self.model, kind, self._tx.ctx.is_admin)
        stmt = _BY_ID.get(key)
        if stmt is None:
            cond = self._writable() if kind == "writable" else self._visible()
            stmt = select(self.model).where(self.model.id == bindparam(ID_PARAM), cond)
            if kind == "lock":
                stmt = stmt.with_for_update().execution_options(populate_existing=True)
            _BY_ID[key] = stmt
        return stmt

    def _one_by_id(self, kind: str, id: str) -> M | None:
        params = {ID_PARAM: id, PROJECT_PARAM: self._tx.ctx.project_id}
        return self._tx.execute_scalars(self._by_id(kind), self.model, params=params).first()

    # -- helpers ----------------------------------------------------------------

    def _column(self, name: str, what: str) -> ColumnClause[Any]:
        if name not in self._columns:
            raise exc.ValidationError(
                f"Unknown {what} '{name}' for {self.model.__display_name__.lower()}s; "
                f"known: {', '.join(sorted(self._columns.keys()))}"
            )
        return getattr(self.model, name)

    def _conditions(self, filters: Mapping[str, Any] | None) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        for name, value in (filters or {}).items():
            col = self._column(name, "filter field")
            if isinstance(value, tuple) and value and all(isinstance(v, Filter) for v in value):
                # Several filters on one field are ANDed: a created_at range, say.
                conds.extend(self._condition(col, f) for f in value)
                continue
            f = value if isinstance(value, Filter) else Filter("eq", value)
            conds.append(self._condition(col, f))
        return conds

    def _condition(self, col: Any, f: Filter) -> ColumnElement[bool]:
        v = f.value
        if f.op != "has":
            name = col.key
            if f.op in LIST_OPS:
                v = [coerce(col.type, item, name) for item in v]
            else:
                v = coerce(col.type, v, name)
        if f.op == "eq":
            return col.is_(None) if v is None else col == v
        if f.op == "neq":
            return col.is_not(None) if v is None else or_(col != v, col.is_(None))
        if f.op == "in":
            return col.in_(list(v)) if v else false()
        if f.op == "nin":
            return or_(col.not_in(list(v)), col.is_(None)) if v else true()
        if f.op == "has":
            if isinstance(col.type, JsonEncoded):
                # Tags and other JSON lists: match one encoded element.
                needle = json.dumps(v, ensure_ascii=False)
                return type_coerce(col, Text()).contains(needle, autoescape=True)
            return col.contains(str(v), autoescape=True)
        ops = {"gt": col.__gt__, "gte": col.__ge__, "lt": col.__lt__, "lte": col.__le__}
        return ops[f.op](v)

    def _check_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            col = self._columns.get(name)
            if col is None:
                raise exc.ValidationError(
                    f"Unknown field '{name}' for {self.model.__display_name__.lower()}"
                )
            length = getattr(col.type, "length", None)
            if length and isinstance(value, str) and len(value) > length:
                raise exc.ValidationError(
                    f"Field '{name}' of {self.model.__display_name__.lower()} is too long "
                    f"({len(value)} characters, at most {length})"
                )
            if value is None and not col.nullable:
                raise exc.ValidationError(
                    f"Field '{name}' of {self.model.__display_name__.lower()} cannot be null"
                )
            if name == "scope" and value not in models.SCOPES:
                raise exc.ValidationError(
                    f"Invalid scope '{value}': expected one of {', '.join(models.SCOPES)}"
                )

    def _not_found(self, **key: Any) -> exc.NotFoundError:
        shown = ", ".join(f"{k}={v}" for k, v in key.items())
        return exc.NotFoundError(f"{self.model.__display_name__} not found [{shown}]")

    def _flush(self, values: Mapping[str, Any] | None = None) -> None:
        try:
            self._tx.flush(self.model, values)
        except exc.InUseError:
            raise self._missing_reference(values) from None

    def _missing_reference(self, values: Mapping[str, Any] | None) -> exc.NotFoundError:
        fks = [c.key for c in self.model.__table__.columns if c.foreign_keys]
        shown = ", ".join(f"{k}={(values or {}).get(k)}" for k in fks if k in (values or {}))
        return exc.NotFoundError(
            f"{self.model.__display_name__} refers to a row that does not exist [{shown}]"
        )

    def _delete(self, stmt: Any, what: str) -> int:
        try:
            return _rowcount(self._tx.execute_core(stmt, self.model))
        except exc.InUseError:
            raise exc.InUseError(
                f"{self.model.__display_name__} {what} is in use: other rows refer to it "
                "(cron triggers, event triggers, ...)"
            ) from None

    # -- CRUD -------------------------------------------------------------------

    def create(self, values: Mapping[str, Any], flush: bool = True) -> M:
        """Insert one row; ``project_id`` defaults to the context's project. With
        ``flush=False`` the INSERT waits for the next flush (a query of this table, a
        write, the commit), carrying whatever the row became meanwhile; its errors then
        come from that flush."""
        values = self._prepare(values)
        row = self.model(**values)
        self._tx.session.add(row)
        if flush:
            self._flush(values)
        return row

    def create_many(self, rows: Sequence[Mapping[str, Any]], flush: bool = True) -> list[M]:
        """Insert many rows in one flush (batched INSERTs); ``flush=False`` as ``create``."""
        objs = [self.model(**self._prepare(values)) for values in rows]
        self._tx.session.add_all(objs)
        if flush:
            self._flush()
        return objs

    def _prepare(self, values: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(values)
        self._check_values(values)
        ctx = self._tx.ctx
        if "project_id" in self._columns:
            if values.get("project_id") is None:
                values["project_id"] = ctx.project_id
            elif values["project_id"] != ctx.project_id and not ctx.is_admin:
                raise exc.NotAllowedError(
                    f"Cannot create a {self.model.__display_name__.lower()} in another project"
                )
        for name in _required(self.model):
            if values.get(name) is None:
                raise exc.ValidationError(
                    f"Field '{name}' of {self.model.__display_name__.lower()} is required"
                )
        # the column defaults now (the id, created_at ...), not at the INSERT: a row whose
        # INSERT waits (create(flush=False)) is complete meanwhile
        for name, default in _defaults(self.model):
            if name not in values:
                values[name] = default.arg(None) if default.is_callable else default.arg
        return values

    def get(self, id: str, fields: Sequence[str] | None = None) -> M:
        row = self.find(id=id, fields=fields) if fields else self._one_by_id("visible", id)
        if row is None:
            raise self._not_found(id=id)
        return row

    def find(self, fields: Sequence[str] | None = None, **filters: Any) -> M | None:
        """The first visible row matching ``filters`` (own rows before public/shared)."""
        def build(conds: list[ColumnElement[bool]]) -> Any:
            stmt = self._select(fields).where(self._visible(), *conds)
            if self.model.__project_scoped__ and not self._tx.ctx.is_admin:
                m: Any = self.model
                stmt = stmt.order_by(case((m.project_id == self._project(), 0), else_=1))
            return stmt.limit(1)

        stmt, params = self._statement(("find", _fields_key(fields)), filters, build)
        row = self._tx.execute_scalars(stmt, self.model, params=params).first()
        if fields and row is not None:
            _mark_partial([row])
        return row

    def _statement(self, key: tuple[Any, ...], filters: Mapping[str, Any] | None,
                   build: Any) -> tuple[Any, dict[str, Any]]:
        """``build(conditions)`` once per shape of query, with bound parameters for the
        filter values (kept in ``_SHAPES``); the statement and this call's parameters.
        Filters that cannot be parameters (``has``) build a statement every time."""
        shape = self._filter_shape(filters)
        params: dict[str, Any] = {PROJECT_PARAM: self._tx.ctx.project_id}
        if shape is None:
            return build(self._conditions(filters)), params
        full = (self.model, self._tx.ctx.is_admin, shape, *key)
        stmt = _SHAPES.get(full)
        if stmt is None:
            stmt = build(self._bound_conditions(shape))
            if len(_SHAPES) >= _SHAPES_MAX:
                _SHAPES.clear()
            _SHAPES[full] = stmt
        for i, (name, f) in enumerate(_flat_filters(filters)):
            if f.op in LIST_OPS:
                if f.value:
                    params[f"f{i}"] = [coerce(self._columns[name].type, v, name) for v in f.value]
            elif f.value is not None:
                params[f"f{i}"] = coerce(self._columns[name].type, f.value, name)
        return stmt, params

    def _filter_shape(self, filters: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
        shape = []
        for name, f in _flat_filters(filters):
            self._column(name, "filter field")
            if f.op == "has":
                return None
            empty = not f.value if f.op in LIST_OPS else f.value is None
            shape.append((name, f.op, empty))
        return tuple(shape)

    def _bound_conditions(self, shape: tuple[Any, ...]) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        for i, (name, op, empty) in enumerate(shape):
            col: Any = getattr(self.model, name)
            p = bindparam(f"f{i}", type_=self._columns[name].type, expanding=op in LIST_OPS)
            if op == "eq":
                conds.append(col.is_(None) if empty else col == p)
            elif op == "neq":
                conds.append(col.is_not(None) if empty else or_(col != p, col.is_(None)))
            elif op == "in":
                conds.append(false() if empty else col.in_(p))
            elif op == "nin":
                conds.append(true() if empty else or_(col.not_in(p), col.is_(None)))
            else:
                conds.append({"gt": col.__gt__, "gte": col.__ge__, "lt": col.__lt__,
                              "lte": col.__le__}[op](p))
        return conds

    def list(
        self,
        filters: Mapping[str, Any] | None = None,
        sort_keys: Sequence[str] = (),
        sort_dirs: Sequence[str] = (),
        marker: str | None = None,
        limit: int | None = None,
        fields: Sequence[str] | None = None,
    ) -> list[M]:
        """Visible rows, ordered by ``sort_keys`` (+ id), after ``marker``, at most ``limit``."""
        keys = list(sort_keys)
        if not keys and (marker is not None or limit is not None):
            keys = ["created_at"]
        if limit is not None and limit < 0:
            raise exc.ValidationError(f"limit must be >= 0, got {limit}")

        def build(conds: list[ColumnElement[bool]]) -> Any:
            stmt = self._select(fields).where(self._visible(), *conds)
            if keys:
                stmt = self._order(stmt, keys, list(sort_dirs), marker)
            return stmt.limit(limit) if limit is not None else stmt

        if marker is not None:  # the marker's values go into the statement itself
            stmt, params = build(self._conditions(filters)), {}
        else:
            stmt, params = self._statement(
                ("list", _fields_key(fields), tuple(keys), tuple(sort_dirs), limit), filters, build)
        rows = list(self._tx.execute_scalars(stmt, self.model, params=params or None).all())
        if fields:
            _mark_partial(rows)
        return rows

    def count(self, **filters: Any) -> int:
        def build(conds: list[ColumnElement[bool]]) -> Any:
            return select(func.count()).select_from(self.model).where(self._visible(), *conds)

        stmt, params = self._statement(("count",), filters, build)
        return int(self._tx.execute_core(stmt, self.model, params=params).scalar_one())

    def update(self, id: str, values: Mapping[str, Any]) -> M:
        """Change one own row; a visible row of another project raises NotAllowedError."""
        values = dict(values)
        self._check_values(values)
        if "id" in values and values["id"] != id:
            raise exc.ValidationError("The id of a row cannot be changed")
        ctx = self._tx.ctx
        if values.get("project_id", ctx.project_id) != ctx.project_id and not ctx.is_admin:
            raise exc.NotAllowedError(
                f"Cannot move a {self.model.__display_name__.lower()} to another project"
            )
        row = self._get_writable(id)
        for k, v in values.items():
            setattr(row, k, v)
        self._flush(values)
        return row

    def update_where(self, values: Mapping[str, Any], **filters: Any) -> int:
        """Bulk UPDATE of own rows matching ``filters``; returns the number of rows changed."""
        values = dict(values)
        self._check_values(values)
        if "updated_at" not in values:
            values["updated_at"] = models.utcnow()
        names = tuple(sorted(values))

        def build(conds: list[ColumnElement[bool]]) -> Any:
            return (
                sa_update(self.model.__table__)
                .where(self._writable(), *conds)
                .values({n: bindparam(f"v_{n}", type_=self._columns[n].type) for n in names})
            )

        stmt, params = self._statement(("update", names), filters, build)
        params.update({f"v_{n}": values[n] for n in names})
        try:
            return _rowcount(self._tx.execute_core(stmt, self.model, values, params=params))
        except exc.InUseError:
            raise self._missing_reference(values) from None

    def delete(self, id: str) -> None:
        row = self._get_writable(id)
        stmt = delete(self.model.__table__).where(self.model.id == row.id)
        self._delete(stmt, f"[id={id}]")
        self._tx.session.expunge(row)

    def delete_where(self, **filters: Any) -> int:
        """Bulk DELETE of own rows matching ``filters``; child rows cascade in the DB."""
        stmt = delete(self.model.__table__).where(self._writable(), *self._conditions(filters))
        return self._delete(stmt, "[" + ", ".join(f"{k}={v}" for k, v in filters.items()) + "]")

    # -- internals ----------------------------------------------------------------

    def _get_writable(self, id: str) -> M:
        row = self._one_by_id("writable", id)
        if row is None:
            if self.find(id=id, fields=("id",)) is not None:
                raise exc.ForbiddenError(
                    f"{self.model.__display_name__} [id={id}] belongs to another project "
                    "and cannot be modified"
                )
            raise self._not_found(id=id)
        return row

    def _select(self, fields: Sequence[str] | None) -> Select[Any]:
        stmt = select(self.model)
        if fields:
            cols = [self._column(f, "field") for f in fields]
            if "id" not in fields:
                cols.append(self.model.id)  # type: ignore[arg-type]
            stmt = stmt.options(load_only(*cols, raiseload=True))  # type: ignore[arg-type]
        return stmt

    def _order(
        self,
        stmt: Select[Any],
        keys: builtins.list[str],
        dirs: builtins.list[str],
        marker: str | None,
    ) -> Select[Any]:
        if "id" not in keys:
            keys = keys + ["id"]
        for d in dirs:
            if d not in SORT_DIRS:
                raise exc.ValidationError(f"Invalid sort direction '{d}': use asc or desc")
        default = dirs[0] if dirs else "asc"
        dirs = dirs[: len(keys)] + [default] * (len(keys) - len(dirs))
        # Expand nullable keys into (is-not-null flag, column) so NULLs sort first on
        # every database (PostgreSQL alone would put them last) and markers work.
        parts: builtins.list[tuple[Any, str, str, bool]] = []  # (expr, dir, key, is_flag)
        for key, d in zip(keys, dirs):
            col = self._column(key, "sort key")
            if self._columns[key].nullable:
                parts.append((case((col.is_(None), 0), else_=1), d, key, True))
            parts.append((col, d, key, False))
        stmt = stmt.order_by(*[e.asc() if d == "asc" else e.desc() for e, d, _, _ in parts])
        if marker is None:
            return stmt
        mrow = self._tx.execute(
            select(*[self._column(k, "sort key") for k in keys]).where(
                self.model.id == marker, self._visible()
            )
        ).first()
        if mrow is None:
            raise self._not_found(id=marker)
        mvals = dict(zip(keys, mrow))
        values = [
            (e, d, (0 if mvals[k] is None else 1) if flag else mvals[k]) for e, d, k, flag in parts
        ]
        return stmt.where(_after(values))


_REQUIRED: dict[type, tuple[str, ...]] = {}


_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _defaults(model: type[models.Base]) -> tuple[tuple[str, Any], ...]:
    """(column, its Python-side default) for the columns that have one."""
    cached = _DEFAULTS.get(model)
    if cached is None:
        cached = tuple((c.key, c.default) for c in model.__table__.columns
                       if c.default is not None and (c.default.is_scalar or c.default.is_callable))
        _DEFAULTS[model] = cached
    return cached


def _fields_key(fields: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(fields) if fields else None


def _flat_filters(filters: Mapping[str, Any] | None) -> builtins.list[tuple[str, Filter]]:
    """(field, Filter) per condition, in order (several ANDed filters on one field)."""
    out: builtins.list[tuple[str, Filter]] = []
    for name, value in (filters or {}).items():
        if isinstance(value, tuple) and value and all(isinstance(v, Filter) for v in value):
            out.extend((name, f) for f in value)
        else:
            out.append((name, value if isinstance(value, Filter) else Filter("eq", value)))
    return out


def _required(model: type[models.Base]) -> tuple[str, ...]:
    """Columns that must be given on insert: NOT NULL and without a default."""
    cached = _REQUIRED.get(model)
    if cached is None:
        cached = tuple(
            c.key
            for c in model.__table__.columns
            if not c.nullable and c.default is None and c.key != "project_id"
        )
        _REQUIRED[model] = cached
    return cached


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def _mark_partial(rows: list[Any]) -> None:
    for row in rows:
        if inspect(row).unloaded:  # not a row this session had fully loaded before
            row._partial = True


def _after(parts: list[tuple[Any, str, Any]]) -> ColumnElement[bool]:
    """Keyset condition: rows strictly after the marker in the given ordering."""
    ors: list[ColumnElement[bool]] = []
    for i, (expr, d, v) in enumerate(parts):
        eqs = [(e.is_(None) if pv is None else e == pv) for e, _, pv in parts[:i]]
        if v is None:
            continue  # nothing sorts strictly after/before NULL within equal flags
        cmp = expr > v if d == "asc" else expr < v
        ors.append(and_(*eqs, cmp))
    return or_(*ors) if ors else false()


class WorkflowExecutionRepository(Repository[models.WorkflowExecution]):
    def lock(self, id: str, fields: Sequence[str] | None = None) -> models.WorkflowExecution:
        """Lock the execution row until the transaction ends and return it, fresh.

        ``SELECT ... FOR UPDATE`` on PostgreSQL/MySQL; on SQLite every write
        transaction already holds the database's writer lock (see ``mistral.db.api``).
        With ``fields`` only those columns are loaded (like ``get(id, fields=...)``);
        a later ``get(id, fields=(other,))`` in the same transaction adds a column.
        """
        self._tx.require_writable("lock a workflow execution")
        if not fields:
            row = self._one_by_id("lock", id)
        else:
            key = (self.model, "lock-fields", self._tx.ctx.is_admin, tuple(fields))
            stmt = _SHAPES.get(key)
            if stmt is None:
                stmt = _SHAPES[key] = (
                    self._select(fields)
                    .where(self.model.id == bindparam(ID_PARAM), self._visible())
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            params = {ID_PARAM: id, PROJECT_PARAM: self._tx.ctx.project_id}
            row = self._tx.execute_scalars(stmt, self.model, params=params).first()
            if row is not None:
                _mark_partial([row])
        if row is None:
            raise self._not_found(id=id)
        return row
