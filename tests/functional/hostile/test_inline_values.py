"""Inline ``key=value`` parameters are parsed under the same limits as the document.

``action: std.echo output=[...]`` hides a JSON/YAML value inside a YAML string, out of
reach of the loader's depth and alias checks: an alias bomb there hung the API thread,
deep nesting or a 5,000-digit integer was a 500.
"""

from __future__ import annotations

import json

import pytest

from tests.functional.api.client import ApiClient

BOMB = "[" + ", ".join(
    ["&a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    + [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]) + "]"
HOSTILE = {
    "huge integer": "9" * 5000,
    "huge integer in a list": "[" + "9" * 5000 + ", a]",
    "deep JSON": "[" * 50000 + "]" * 50000,
    "JSON deeper than the limit": "[" * 500 + "]" * 500,
    "deep YAML": "[a, " * 3000 + "]" * 3000,
    "alias bomb": BOMB,
    "alias bomb in a mapping": "{k: " + BOMB + "}",
}


def _wf(inline: str) -> str:
    return ("version: '2.0'\nhostile_inline:\n  tasks:\n    t:\n"
            f"      action: {json.dumps('std.echo output=' + inline)}\n")


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_inline_value_is_a_400_and_stores_nothing(api: ApiClient, label: str) -> None:
    r = api.post("/v2/workflows", _wf(HOSTILE[label]))
    assert r.status_code == 400, r.text[:300]
    assert "wf.tasks.t.action" in r.fault or "hostile_inline.tasks.t.action" in r.fault
    assert len(r.fault) < 1000
    assert api.get("/v2/workflows?name=hostile_inline").json["workflows"] == []


def test_inline_values_still_parse(api: ApiClient) -> None:
    r = api.post("/v2/workflows", _wf('{"a": [1, 2, {"b": null}], "c": 2001-12-14}'))
    assert r.status_code == 201, r.text
    r = api.post("/v2/workflows/validate", _wf("[x, &y [1], *y]"))
    assert r.json["valid"], r.text
