"""A filter repeated on one field narrows the list: ranges such as created_at=gte:A&created_at=lt:B."""

from __future__ import annotations

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import WORKFLOWS, ONE_WORKFLOW


def _names(api: ApiClient, query: str) -> list[str]:
    r = api.get("/v2/workflows?" + query)
    assert r.status_code == 200, r.text
    return sorted(w["name"] for w in r.json["workflows"])


def test_created_at_range_is_both_bounds(api: ApiClient) -> None:
    assert api.post("/v2/workflows", WORKFLOWS).status_code == 201
    assert api.post("/v2/workflows", ONE_WORKFLOW).status_code == 201
    everything = _names(api, "")
    assert len(everything) == 3
    assert _names(api, "created_at=gte:2000-01-01T00:00:00&created_at=lt:2100-01-01T00:00:00") == everything
    # Each bound alone matches everything; together they match nothing.
    assert _names(api, "created_at=gte:2000-01-01T00:00:00") == everything
    assert _names(api, "created_at=lt:2000-01-02T00:00:00") == []
    assert _names(api, "created_at=gte:2099-01-01T00:00:00&created_at=lt:2100-01-01T00:00:00") == []


def test_repeated_operators_on_a_text_field(api: ApiClient) -> None:
    assert api.post("/v2/workflows", WORKFLOWS).status_code == 201
    assert api.post("/v2/workflows", ONE_WORKFLOW).status_code == 201
    assert _names(api, "name=neq:greet&name=neq:noop") == ["single"]
    assert _names(api, "name=in:greet,noop&name=neq:noop") == ["greet"]


def test_a_bad_bound_in_a_range_is_a_400(api: ApiClient) -> None:
    r = api.get("/v2/workflows?created_at=gte:2000-01-01T00:00:00&created_at=lt:yesterday")
    assert r.status_code == 400
    assert "created_at" in r.fault
