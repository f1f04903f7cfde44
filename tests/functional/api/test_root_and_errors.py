"""Version documents, routing errors and request-body checks: always a JSON fault, never a 500."""

from __future__ import annotations

from mistral.api.app import ApiSettings
from tests.functional.api.client import ApiClient, build_client


def test_root_lists_v2_and_v1(api: ApiClient) -> None:
    r = api.get("/")
    assert r.status_code == 200
    version, v1 = r.json["versions"]
    assert version["id"] == "v2.0" and version["status"] == "CURRENT"
    assert version["links"] == [{"href": "http://localhost/v2", "target": "v2", "rel": "self"}]
    # ours: the 2014 API beside it
    assert v1["id"] == "v1.0" and v1["status"] == "SUPPORTED"
    assert v1["links"] == [{"href": "http://localhost/v1", "target": "v1", "rel": "self"}]
    assert api.get("/v1").json == {"uri": "http://localhost/v1"}


def test_v2_root(api: ApiClient) -> None:
    r = api.get("/v2")
    assert r.status_code == 200
    assert r.json == {"uri": "http://localhost/v2"}


def test_unknown_route_is_json_404(api: ApiClient) -> None:
    r = api.get("/v2/no_such_resource")
    assert r.status_code == 404
    assert "/v2/no_such_resource" in r.fault


def test_extra_path_segments_are_404(api: ApiClient) -> None:
    r = api.get("/v2/workflows/a/b/c")
    assert r.status_code == 404
    assert "no route" in r.fault


def test_wrong_method_is_405(api: ApiClient) -> None:
    r = api.request("PATCH", "/v2/workflows/abc")
    assert r.status_code == 405
    assert "PATCH" in r.fault
    assert api.post("/v2/executions/abc", {"x": 1}).status_code == 405
    assert api.delete("/v2/executions").status_code == 405


def test_malformed_json_is_400_with_position(api: ApiClient) -> None:
    r = api.post("/v2/environments", '{"name": "e1", ', content_type="application/json")
    assert r.status_code == 400
    assert "Malformed JSON" in r.fault and "line 1" in r.fault


def test_json_body_must_be_an_object(api: ApiClient) -> None:
    r = api.post("/v2/environments", [1, 2])
    assert r.status_code == 400
    assert "JSON object" in r.fault


def test_empty_json_body_is_400(api: ApiClient) -> None:
    r = api.post("/v2/environments", "", content_type="application/json")
    assert r.status_code == 400
    assert "empty" in r.fault


def test_wrong_content_type_is_415_or_400(api: ApiClient) -> None:
    r = api.post("/v2/environments", "<env/>", content_type="application/xml")
    assert r.status_code == 415  # a JSON body of another type, as Mistral 23
    assert "application/xml" in r.fault
    r = api.post("/v2/workflows", "{}", content_type="image/png")
    assert r.status_code == 400
    assert "text/plain" in r.fault


def test_invalid_utf8_is_400(api: ApiClient) -> None:
    r = api.post("/v2/workflows", b"version: '2.0'\n\xff\xfe", content_type="text/plain")
    assert r.status_code == 400
    assert "UTF-8" in r.fault


def test_oversized_body_is_413(sqlite_database: object) -> None:
    client = build_client(sqlite_database, settings=ApiSettings(max_request_body_size_kb=1))
    r = client.post("/v2/workflows", "x" * 2048, content_type="text/plain")
    assert r.status_code == 413
    assert "1 KiB" in r.fault
    with sqlite_database.transaction() as tx:  # type: ignore[attr-defined]
        assert tx.workflow_definitions.count() == 0


def test_unknown_attribute_is_named(api: ApiClient) -> None:
    r = api.post("/v2/environments", {"name": "e", "variables": {}, "colour": "red"})
    assert r.status_code == 400
    assert "'colour'" in r.fault


def test_wrong_attribute_type_is_named(api: ApiClient) -> None:
    r = api.post("/v2/environments", {"name": 5, "variables": {}})
    assert r.status_code == 400
    assert "'name'" in r.fault and "string" in r.fault


def test_bad_list_parameters(api: ApiClient) -> None:
    cases = {
        "/v2/workflows?limit=abc": "'limit'",
        "/v2/workflows?colour=red": "'colour'",
        "/v2/workflows?sort_keys=colour": "'colour'",
        "/v2/workflows?sort_keys=name&sort_dirs=up": "'up'",
        "/v2/workflows?fields=name,colour": "colour",
        "/v2/workflows?created_at=gt:yesterday": "'created_at'",
    }
    for path, needle in cases.items():
        r = api.get(path)
        assert r.status_code == 400, path
        assert needle in r.fault, (path, r.fault)


def test_unknown_marker_is_404(api: ApiClient) -> None:
    r = api.get("/v2/workflows?marker=00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404


def test_json_whatever_the_accept_header(api: ApiClient) -> None:
    for accept in ("application/json", "text/html", "*/*", "application/xml"):
        r = api.get("/v2/workflows", headers={"Accept": accept})
        assert r.status_code == 200, (accept, r.text)
        assert r.json == {"workflows": []}
    r = api.get("/v2/workflows/nope", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "nope" in r.fault


def test_request_id_is_echoed_or_made(api: ApiClient) -> None:
    r = api.get("/v2", headers={"X-Openstack-Request-Id": "req-abc"})
    assert r.headers["X-Openstack-Request-Id"] == "req-abc"
    made = api.get("/v2/nothing").headers["X-Openstack-Request-Id"]
    assert made.startswith("req-") and made != "req-abc"


def test_head_is_get_without_a_body(api: ApiClient) -> None:
    get = api.get("/v2/workflows")
    head = api.request("HEAD", "/v2/workflows")
    assert head.status_code == 200 and head.text == ""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert api.request("HEAD", "/v2/workflows/nope").status_code == 404


def test_nul_characters_are_refused(api: ApiClient) -> None:
    r = api.get("/v2/workflows/a%00b")
    assert r.status_code == 400 and "NUL" in r.fault
    r = api.get("/v2/workflows?name=a%00b")
    assert r.status_code == 400 and "NUL" in r.fault
    r = api.post("/v2/environments", '{"name": "e", "variables": {"k": ["a\\u0000"]}}',
                 content_type="application/json")
    assert r.status_code == 400 and "variables.k[0]" in r.fault
