"""/v2/actions answers as Mistral 23 writes them: a system action's shape, the default
namespace of a list, a marker by name, ``fields`` ignored, the whole upload as definition."""

from __future__ import annotations

from tests.functional.api.client import ApiClient

TWO = """---
version: '2.0'
a_one:
  description: first
  base: std.echo output=1
a_two:
  base: std.noop
"""


def test_a_system_action_looks_as_mistral_23s(api: ApiClient) -> None:
    echo = api.get("/v2/actions/std.echo").json
    assert echo["id"] == "std.echo" and echo["is_system"] is True
    assert (echo["tags"], echo["scope"], echo["project_id"]) == (None, None, None)
    assert (echo["definition"], echo["created_at"], echo["updated_at"]) == ("", "", "")
    listed = api.get("/v2/actions?name=std.echo").json["actions"]
    assert listed == [echo]
    # Its id is its name: a GET by either finds it; no system action is public.
    assert api.get("/v2/actions?name=std.echo&scope=public").json["actions"] == []


def test_every_action_of_an_upload_keeps_the_whole_text(api: ApiClient) -> None:
    r = api.post("/v2/actions", TWO)
    assert r.status_code == 201, r.text
    assert [a["definition"] for a in r.json["actions"]] == [TWO, TWO]
    assert api.get("/v2/actions/a_two").json["definition"] == TWO


def test_a_list_is_of_the_default_namespace_unless_named(api: ApiClient) -> None:
    assert api.post("/v2/actions", TWO).status_code == 201
    assert api.post("/v2/actions?namespace=ns", TWO).status_code == 201
    names = lambda q: [(a["name"], a["namespace"])  # noqa: E731
                       for a in api.get("/v2/actions?name=in:a_one,a_two" + q).json["actions"]]
    assert names("") == [("a_one", ""), ("a_two", "")]
    assert names("&namespace=ns") == [("a_one", "ns"), ("a_two", "ns")]


def test_fields_do_not_narrow_an_action_list(api: ApiClient) -> None:
    (echo,) = api.get("/v2/actions?name=std.echo&fields=name").json["actions"]
    assert echo == api.get("/v2/actions/std.echo").json
    assert api.get("/v2/actions?fields=colour").status_code == 400


def test_a_marker_may_be_an_actions_name(api: ApiClient) -> None:
    assert api.post("/v2/actions", TWO).status_code == 201
    q = "/v2/actions?name=in:std.echo,std.noop,a_one,a_two&limit=2"
    first = api.get(q).json
    assert [a["name"] for a in first["actions"]] == ["a_one", "a_two"]
    # Ours pages after the marker (Mistral 23 starts at it, repeating a row per page).
    after = api.get(q + "&marker=a_two").json["actions"]
    assert [a["name"] for a in after] == ["std.echo", "std.noop"]
    assert [a["name"] for a in api.get(first["next"]).json["actions"]] == ["std.echo", "std.noop"]
    assert api.get(q + "&marker=std.echo").json["actions"][0]["name"] == "std.noop"
    assert api.get(q + "&marker=no_such_action").status_code == 404


def test_a_mixed_list_sorts_by_its_times(api: ApiClient) -> None:
    # System actions have "" for times (as Mistral 23's): the list still sorts by them.
    assert api.post("/v2/actions", TWO).status_code == 201
    for d in ("asc", "desc"):
        r = api.get(f"/v2/actions?sort_keys=created_at,name&sort_dirs={d}&limit=1000")
        assert r.status_code == 200, r.text
        names = [a["name"] for a in r.json["actions"]]
        assert ("a_one" in names[:2]) == (d == "desc")
    r = api.get("/v2/actions?created_at=gte:2000-01-01&name=in:a_one,std.echo")
    assert [a["name"] for a in r.json["actions"]] == ["a_one"]
