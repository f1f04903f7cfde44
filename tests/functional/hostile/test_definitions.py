"""Definitions a careless client uploads: refused up front with a 400 that says where,
never accepted and then broken at run time."""

from __future__ import annotations

from tests.functional.api.client import ApiClient


def test_task_name_longer_than_its_column_is_refused_at_upload(api: ApiClient) -> None:
    long = "t" * 300
    text = ("version: '2.0'\nlong_names:\n  tasks:\n    a:\n      action: std.noop\n"
            f"      on-success: [{long}]\n    {long}:\n      action: std.noop\n")
    r = api.post("/v2/workflows", text)
    assert r.status_code == 400, r.text
    assert "long_names.tasks." in r.fault and "at most 255 characters" in r.fault
    assert api.get("/v2/workflows?name=long_names").json["workflows"] == []
    ok = text.replace(long, "t" * 255)
    assert api.post("/v2/workflows", ok).status_code == 201
