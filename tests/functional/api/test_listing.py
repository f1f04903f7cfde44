"""Mistral's filter syntax as the list helper reads it (pure parsing, no request)."""

from __future__ import annotations

import datetime

import pytest

from mistral.api.controllers.v2.listing import ListQuery, page_in_memory, parse_filter
from mistral.api.errors import ApiError
from mistral.db.filters import Filter


@pytest.mark.parametrize("raw, expected", [
    ("RUNNING", "RUNNING"),
    ("eq:RUNNING", "RUNNING"),
    ("neq:RUNNING", Filter("neq", "RUNNING")),
    ("in:RUNNING,PAUSED", Filter("in", ["RUNNING", "PAUSED"])),
    ("nin:A, B,", Filter("nin", ["A", "B"])),
    ("has:RUN", Filter("has", "RUN")),
    ("gt:B", Filter("gt", "B")),
    ("lte:B", Filter("lte", "B")),
    ("null", None),
    ("colon:inside", "colon:inside"),
])
def test_prefixes(raw: str, expected: object) -> None:
    assert parse_filter("state", raw) == expected


def test_datetimes_bools_and_ints() -> None:
    assert parse_filter("created_at", "gte:2026-01-31 12:00:00") == Filter(
        "gte", datetime.datetime(2026, 1, 31, 12, 0, 0))
    assert parse_filter("created_at", "2026-01-31") == datetime.datetime(2026, 1, 31)
    assert parse_filter("is_system", "false", bool) is False
    assert parse_filter("remaining_executions", "gt:3", int) == Filter("gt", 3)
    for name, raw, kind in (("created_at", "lt:soon", str), ("is_system", "maybe", bool),
                            ("remaining_executions", "three", int)):
        with pytest.raises(ApiError) as info:
            parse_filter(name, raw, kind)
        assert info.value.status == 400 and name in info.value.message


def test_in_memory_paging_follows_sort_and_marker() -> None:
    rows = [{"id": str(i), "name": n, "tags": t}
            for i, (n, t) in enumerate([("b", ["x"]), ("a", []), ("c", ["x"]), ("d", None)])]
    q = ListQuery(filters={"tags": Filter("has", "x")}, sort_keys=["name", "id"],
                  sort_dirs=["desc", "desc"], marker=None, limit=1, fields=None)
    first = page_in_memory(rows, q)
    assert [r["name"] for r in first] == ["c"]
    rest = page_in_memory(rows, ListQuery(q.filters, q.sort_keys, q.sort_dirs, first[-1]["id"],
                                          10, None))
    assert [r["name"] for r in rest] == ["b"]
