"""List parameters: repeated filters narrow (ranges such as created_at=gte:A&created_at=lt:B); limit, sort and next link as Mistral 23."""

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


def test_repeated_filter_narrows_the_in_memory_action_list(api: ApiClient) -> None:
    # Actions mix system and ad-hoc rows in memory: the same narrowing applies there.
    r = api.get("/v2/actions?name=in:std.echo,std.noop&name=std.noop")
    assert r.status_code == 200, r.text
    assert [a["name"] for a in r.json["actions"]] == ["std.noop"]


def test_limit_sort_parameters_answer_as_mistral_does(api: ApiClient) -> None:
    for query, words in (("limit=-1", "Limit must be positive"),
                         ("limit=0", "Limit must be positive"),
                         ("sort_keys=id&sort_dirs=nonexist", "Unknown sort direction"),
                         # A key given twice counts once: one key, two directions.
                         ("sort_keys=id,id&sort_dirs=asc,asc",
                          "Length of sort_keys must be equal or greater than sort_dirs")):
        r = api.get("/v2/workflows?limit=1&" + query)
        assert r.status_code == 400 and words in r.fault, (query, r.text)
    assert api.get("/v2/workflows?sort_keys=id,id").status_code == 200


def test_next_link_is_written_as_mistral_writes_it(api: ApiClient) -> None:
    assert api.post("/v2/workflows", WORKFLOWS).status_code == 201
    assert api.post("/v2/workflows", ONE_WORKFLOW).status_code == 201
    first = api.get("/v2/workflows?limit=1&sort_keys=name&sort_dirs=desc&name=neq:x&fields=name")
    assert first.status_code == 200, first.text
    link = first.json["next"]
    query = link.split("?", 1)[1]
    marker = first.json["workflows"][0]["id"]
    assert query == ("sort_keys=name,id&sort_dirs=desc,asc&name=neq:x&limit=1"
                     f"&marker={marker}&fields=id,name")
    second = api.get(link.replace("http://localhost", ""))
    assert second.json["workflows"][0]["name"] < first.json["workflows"][0]["name"]
    # A missing direction is 'asc' (not the previous key's), a plain filter gets 'eq:'.
    other = api.get("/v2/workflows?limit=1&sort_keys=name,created_at&sort_dirs=desc&name=single")
    assert "sort_keys=name,created_at,id&sort_dirs=desc,asc,asc&name=eq:single&" in (
        other.json["next"])
