"""The one pagination/filter helper every list endpoint uses.

Query parameters: ``marker`` (id of the last row of the previous page), ``limit``,
``sort_keys`` / ``sort_dirs`` (comma-separated), ``fields`` (comma-separated) and one
parameter per filterable field whose value may carry Mistral's operator prefix::

    state=RUNNING  state=eq:RUNNING  state=in:RUNNING,PAUSED  created_at=gte:2026-01-01

Unknown parameters, fields or sort keys are a 400 naming them; so are a limit below 1,
more sort directions than (distinct) sort keys and a direction other than asc/desc, in
Mistral's words. A repeated filter narrows (every value applies; Mistral 23 keeps only the
last one). The answer is ``{"<resource>": [...], "next": "<url of the next page>"}`` with
``next`` present only when the page is full, written as Mistral writes it
(``?sort_keys=name,id&sort_dirs=desc,asc&<filters>&limit=N&marker=<id>[&fields=...]``).
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pecan

from mistral import exceptions as exc
from mistral.api import errors, http
from mistral.api.controllers.v2.resource import Resource
from mistral.db.filters import Filter

UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
PAGING_PARAMS = ("marker", "limit", "sort_keys", "sort_dirs", "fields", "nulls")
OPERATORS = ("eq", "neq", "in", "nin", "gt", "gte", "lt", "lte", "has")
DATETIME_FIELDS = frozenset(
    {"created_at", "updated_at", "started_at", "finished_at", "next_execution_time",
     "first_execution_time"}
)
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
                    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


@dataclass(frozen=True)
class ListQuery:
    filters: dict[str, Any]
    sort_keys: list[str]
    sort_dirs: list[str]
    marker: str | None
    limit: int
    fields: list[str] | None
    params: dict[str, str] = field(default_factory=dict)
    # The filter and extra parameters as given, in order, for the 'next' link.
    link_args: list[tuple[str, str]] = field(default_factory=list)


def _parse_datetime(name: str, value: str) -> datetime.datetime:
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise errors.bad_request(
        f"Filter '{name}' needs a date like '2026-01-31 12:00:00', not '{value}'."
    )


def _convert(name: str, raw: str, kind: type) -> Any:
    if name in DATETIME_FIELDS:
        return _parse_datetime(name, raw)
    if kind is bool:
        lowered = raw.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise errors.bad_request(f"Filter '{name}' must be true or false, not '{raw}'.")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise errors.bad_request(f"Filter '{name}' must be an integer, not '{raw}'.") from None
    if raw.lower() in ("null", "none") and name not in ("name", "description"):
        return None
    if kind is dict:  # a JSON field (input, output, ...): as Mistral 23, the value is JSON
        try:
            return json.loads(raw)
        except ValueError:
            raise errors.bad_request(
                f"Filter '{name}' must be a JSON value, not '{raw}'."
            ) from None
    return raw


def parse_filter(name: str, raw: str, kind: type = str) -> Any:
    """One filter parameter as a plain value (eq) or a ``Filter(op, value)``."""
    op, sep, rest = raw.partition(":")
    if sep and op in OPERATORS and not (name in DATETIME_FIELDS and op.isdigit()):
        value_text = rest
    else:
        op, value_text = "eq", raw
    if op in ("in", "nin"):
        values = [_convert(name, v.strip(), kind) for v in value_text.split(",") if v.strip()]
        return Filter(op, values)
    if op == "has":
        return Filter(op, value_text)
    value = _convert(name, value_text, kind)
    return value if op == "eq" else Filter(op, value)


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_list_query(
    resource: type[Resource],
    filter_fields: Mapping[str, type],
    extra_params: Iterable[str] = (),
    default_sort: tuple[str, str] = ("created_at", "asc"),
    marker_is_uuid: bool = True,
) -> ListQuery:
    """Read and check the list query parameters of the current request. A ``marker`` is a
    row's UUID (a 400 otherwise, as Mistral 23) unless ``marker_is_uuid`` is False."""
    params = http.query()
    allowed_extra = set(extra_params)
    names = set(resource.field_names())
    settings = http.services().settings

    filters: dict[str, Any] = {}
    link_args: list[tuple[str, str]] = []
    for name, raw in params.items():
        if name in PAGING_PARAMS:
            continue
        if name in allowed_extra:
            link_args.append((name, raw))
            continue
        if name not in filter_fields:
            raise errors.bad_request(
                f"Unknown query parameter '{name}'; this list accepts "
                + ", ".join(sorted(set(filter_fields) | set(PAGING_PARAMS) | allowed_extra))
                + "."
            )
        # An empty value filters nothing, except namespace= (as Mistral 23: the default
        # namespace, "").
        values = list(dict.fromkeys(v for v in http.query_all(name)
                                    if v != "" or name == "namespace"))
        if not values:
            continue
        link_args.extend((name, _with_operator(v)) for v in values)
        if len(values) > 1:
            # A repeated filter narrows the list further: created_at=gte:A&created_at=lt:B.
            parsed = (parse_filter(name, v, filter_fields[name]) for v in values)
            filters[name] = tuple(f if isinstance(f, Filter) else Filter("eq", f) for f in parsed)
            continue
        filters[name] = parse_filter(name, values[0], filter_fields[name])
        if name == "tags" and not isinstance(filters[name], Filter):
            # As Mistral 23: a tag among them; tags=a,b: each of them.
            tags = _split(filters[name]) or [filters[name]]
            filters[name] = (Filter("has", tags[0]) if len(tags) == 1
                             else tuple(Filter("has", t) for t in tags))

    if params.get("nulls"):
        link_args.append(("nulls", params["nulls"]))
    for name in _split(params.get("nulls")):
        if name not in filter_fields:
            raise errors.bad_request(f"Unknown field '{name}' in 'nulls'.")
        filters[name] = None

    # As Mistral's [api] max_limit: no limit, or a larger one, is clamped (a 'next'
    # link leads on); zero or a negative one is refused as Mistral refuses it.
    page = min(settings.default_list_limit or settings.max_limit, settings.max_limit)
    limit = http.query_int("limit", page)
    assert limit is not None
    if limit <= 0:
        raise errors.bad_request(f"Limit must be positive (limit={limit}).")
    limit = min(limit, settings.max_limit)

    # As Mistral: a sort key given twice counts once, a missing direction is 'asc',
    # and 'id' ascending breaks ties (so that pages never overlap).
    sort_keys = list(dict.fromkeys(_split(params.get("sort_keys")))) or [default_sort[0]]
    sort_dirs = _split(params.get("sort_dirs"))
    if len(sort_dirs) > len(sort_keys):
        raise errors.bad_request(
            "Length of sort_keys must be equal or greater than sort_dirs "
            f"(sort_keys={','.join(sort_keys)}, sort_dirs={','.join(sort_dirs)})."
        )
    for d in sort_dirs:
        if d not in ("asc", "desc"):
            raise errors.bad_request(
                f"Unknown sort direction, must be 'desc' or 'asc' (sort_dirs: '{d}')."
            )
    for key in sort_keys:
        if key not in names:
            raise errors.bad_request(f"Cannot sort by unknown field '{key}'.")
    if not params.get("sort_keys") and not sort_dirs:
        sort_dirs = [default_sort[1]]
    sort_dirs += ["asc"] * (len(sort_keys) - len(sort_dirs))
    if "id" not in sort_keys:
        sort_keys.append("id")
        sort_dirs.append("asc")

    fields = _split(params.get("fields")) or None
    if fields:
        unknown = [f for f in fields if f not in names]
        if unknown:
            raise errors.bad_request(
                f"Unknown field(s) {', '.join(unknown)} in 'fields'; known: "
                + ", ".join(sorted(names))
                + "."
            )
        if "id" not in fields:
            fields = ["id"] + fields

    marker = params.get("marker") or None
    if marker is not None and marker_is_uuid and not UUID.fullmatch(marker.lower()):
        raise errors.bad_request(f"Invalid marker '{marker[:60]}': a marker is the id (UUID) of a row.")

    return ListQuery(
        filters=filters,
        sort_keys=sort_keys,
        sort_dirs=sort_dirs,
        marker=marker,
        limit=limit,
        fields=fields,
        params=params,
        link_args=link_args,
    )


def item_fields(resource: type[Resource]) -> list[str] | None:
    """``?fields=`` of a GET of one item, checked against ``resource`` (as Mistral 23, the
    answer then has only those fields and ``id``)."""
    fields = _split(http.query().get("fields"))
    unknown = [f for f in fields if f not in resource.field_names()]
    if unknown:
        raise errors.bad_request(f"Unknown field(s) {', '.join(unknown)} in 'fields'.")
    return fields or None


def _with_operator(raw: str) -> str:
    """A filter value as Mistral's 'next' link writes it: always with its operator."""
    op, sep, _ = raw.partition(":")
    return raw if sep and op in OPERATORS else "eq:" + raw


def fetch(repo: Any, q: ListQuery, extra_filters: Mapping[str, Any] | None = None,
          db_fields: Sequence[str] | None = None) -> list[Any]:
    """One query for one page: filters, order, marker and limit go to the database."""
    filters = dict(q.filters)
    if extra_filters:
        filters.update(extra_filters)
    fields = db_fields if db_fields is not None else q.fields
    return repo.list(
        filters=filters,
        sort_keys=tuple(q.sort_keys),
        sort_dirs=tuple(q.sort_dirs),
        marker=q.marker,
        limit=q.limit,
        fields=tuple(fields) if fields else None,
    )


def page(
    key: str,
    resource: type[Resource],
    rows: Sequence[Any],
    q: ListQuery,
    render: Callable[[Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The list answer with a ``next`` link when the page is full."""
    draw = render or (lambda row: resource.render(row, q.fields))
    body: dict[str, Any] = {key: [draw(r) for r in rows]}
    if rows and len(rows) >= q.limit:
        # Mistral's order and form: sort_keys, sort_dirs, filters, limit, marker, fields,
        # with literal commas and colons.
        args = [("sort_keys", ",".join(q.sort_keys)), ("sort_dirs", ",".join(q.sort_dirs))]
        args += q.link_args
        args += [("limit", str(q.limit)),
                 ("marker", str(getattr(rows[-1], "id", None) or rows[-1]["id"]))]
        if q.fields:
            args.append(("fields", ",".join(q.fields)))
        query = "&".join(
            urllib.parse.quote(k, safe="") + "=" + urllib.parse.quote(v, safe=",:")
            for k, v in args
        )
        body["next"] = pecan.request.host_url + pecan.request.path + "?" + query
    return body


def _match(value: Any, f: Any) -> bool:
    if isinstance(f, tuple):
        return all(_match(value, one) for one in f)
    if not isinstance(f, Filter):
        return value == f
    v = f.value
    if f.op == "eq":
        return value == v
    if f.op == "neq":
        return value != v
    if f.op == "in":
        return value in v
    if f.op == "nin":
        return value not in v
    if f.op == "has":
        if isinstance(value, (list, tuple)):
            return v in value
        return value is not None and str(v) in str(value)
    if value is None:
        return False
    try:
        return {"gt": value > v, "gte": value >= v, "lt": value < v, "lte": value <= v}[f.op]
    except TypeError:
        return str(value) > str(v) if f.op in ("gt", "gte") else str(value) < str(v)


def page_in_memory(items: Sequence[dict[str, Any]], q: ListQuery) -> list[dict[str, Any]]:
    """Filter, sort and page rows already in memory (small lists mixed from two sources)."""
    rows = [r for r in items if all(_match(r.get(k), f) for k, f in q.filters.items())]
    for key, d in reversed(list(zip(q.sort_keys, q.sort_dirs))):
        rows.sort(key=lambda r: (r.get(key) is not None, r.get(key) if r.get(key) is not None
                                 else ""), reverse=(d == "desc"))
    if q.marker is not None:
        ids = [r.get("id") for r in rows]
        if q.marker not in ids:
            raise exc.NotFoundError(f"Marker not found [id={q.marker}]")
        rows = rows[ids.index(q.marker) + 1:]
    return rows[: q.limit]
