"""/v2/workflows: upload, read, list, update, delete, validate."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import BAD_WORKFLOW, ONE_WORKFLOW, WORKFLOWS


def create(api: ApiClient, text: str = WORKFLOWS, query: str = "") -> list[dict[str, Any]]:
    r = api.post("/v2/workflows" + query, text)
    assert r.status_code == 201, r.text
    return r.json["workflows"]


def test_create_returns_every_workflow_with_mistral_fields(api: ApiClient) -> None:
    created = create(api)
    assert [w["name"] for w in created] == ["greet", "noop"]
    greet = created[0]
    assert greet["input"] == 'name, greeting="Hello"'
    # As Mistral 23: a create answer has no null fields and its interface is an object
    # (a GET sends it as a JSON string).
    assert greet["interface"] == {"input": ["name", {"greeting": "Hello"}], "output": ["text"]}
    got = api.get("/v2/workflows/greet").json
    assert json.loads(got["interface"]) == greet["interface"]
    assert greet["tags"] == ["demo"]
    assert greet["scope"] == "private" and greet["namespace"] == ""
    assert "greet:" in greet["definition"] and "noop:" not in greet["definition"]
    assert greet["created_at"] and "updated_at" not in greet
    assert len(greet["id"]) == 36


def test_get_by_name_and_by_id(api: ApiClient) -> None:
    wf = create(api, ONE_WORKFLOW)[0]
    assert wf["definition"] == ONE_WORKFLOW
    by_name = api.get("/v2/workflows/single")
    by_id = api.get(f"/v2/workflows/{wf['id']}")
    assert by_name.status_code == by_id.status_code == 200
    # A create answer has no null fields (as Mistral 23's); a GET shows them.
    assert by_name.json == by_id.json == {**wf, "updated_at": None,
                                          "interface": json.dumps(wf["interface"])}


def test_unknown_workflow_is_404(api: ApiClient) -> None:
    r = api.get("/v2/workflows/nope")
    assert r.status_code == 404
    assert "nope" in r.fault
    assert api.get("/v2/workflows/00000000-0000-0000-0000-000000000000").status_code == 404


def test_duplicate_is_409(api: ApiClient) -> None:
    create(api, ONE_WORKFLOW)
    r = api.post("/v2/workflows", ONE_WORKFLOW)
    assert r.status_code == 409
    assert "single" in r.fault


def test_invalid_dsl_is_400_with_the_validator_message_and_no_rows(api: ApiClient) -> None:
    text = ONE_WORKFLOW + BAD_WORKFLOW.replace("---\nversion: '2.0'\n", "")
    r = api.post("/v2/workflows", text)
    assert r.status_code == 400
    assert "missing_task" in r.fault and "broken" in r.fault
    assert api.get("/v2/workflows").json["workflows"] == []


def test_invalid_yaml_is_400(api: ApiClient) -> None:
    r = api.post("/v2/workflows", "version: '2.0'\nwf: [unclosed\n")
    assert r.status_code == 400
    assert r.fault


def test_empty_definition_is_400(api: ApiClient) -> None:
    r = api.post("/v2/workflows", "   ")
    assert r.status_code == 400
    assert "empty" in r.fault


def test_namespaces_keep_same_names_apart(api: ApiClient) -> None:
    a = create(api, ONE_WORKFLOW)[0]
    b = create(api, ONE_WORKFLOW, "?namespace=ns1")[0]
    assert a["id"] != b["id"] and b["namespace"] == "ns1"
    assert api.get("/v2/workflows/single?namespace=ns1").json["id"] == b["id"]
    names = api.get("/v2/workflows?namespace=ns1").json["workflows"]
    assert [w["id"] for w in names] == [b["id"]]
    assert api.delete("/v2/workflows/single?namespace=ns1").status_code == 204
    assert api.get("/v2/workflows/single").json["id"] == a["id"]


def test_scope_public_and_bad_scope(api: ApiClient) -> None:
    wf = create(api, ONE_WORKFLOW, "?scope=public")[0]
    assert wf["scope"] == "public"
    r = api.post("/v2/workflows?scope=world", WORKFLOWS)
    assert r.status_code == 400
    assert "world" in r.fault


def test_update_collection_and_by_id(api: ApiClient) -> None:
    created = create(api)
    changed = WORKFLOWS.replace("Says hello", "Says hi")
    r = api.put("/v2/workflows?scope=public", changed)
    assert r.status_code == 200
    updated = r.json["workflows"]
    assert [w["id"] for w in updated] == [w["id"] for w in created]
    assert all(w["scope"] == "public" and w["updated_at"] for w in updated)
    assert "Says hi" in api.get("/v2/workflows/greet").json["definition"]
    one = api.put(f"/v2/workflows/{created[1]['id']}", ONE_WORKFLOW.replace("single", "noop"))
    assert one.status_code == 200
    assert one.json["id"] == created[1]["id"] and one.json["name"] == "noop"


def test_update_by_id_needs_one_workflow(api: ApiClient) -> None:
    wf = create(api)[0]
    r = api.put(f"/v2/workflows/{wf['id']}", WORKFLOWS)
    assert r.status_code == 400
    assert "exactly one" in r.fault


def test_update_of_missing_workflow_is_404(api: ApiClient) -> None:
    r = api.put("/v2/workflows", ONE_WORKFLOW)
    assert r.status_code == 404


def test_delete(api: ApiClient) -> None:
    wf = create(api, ONE_WORKFLOW)[0]
    assert api.delete(f"/v2/workflows/{wf['id']}").status_code == 204
    assert api.get(f"/v2/workflows/{wf['id']}").status_code == 404
    assert api.delete(f"/v2/workflows/{wf['id']}").status_code == 404


def test_delete_refused_while_a_cron_trigger_uses_it(api: ApiClient) -> None:
    create(api, ONE_WORKFLOW)
    r = api.post("/v2/cron_triggers", {"name": "every", "workflow_name": "single",
                                       "pattern": "* * * * *"})
    assert r.status_code == 201, r.text
    r = api.delete("/v2/workflows/single")
    assert r.status_code == 400  # as Mistral 23
    assert "every" in r.fault and "cron" in r.fault
    assert api.get("/v2/workflows/single").status_code == 200


def test_validate(api: ApiClient) -> None:
    ok = api.post("/v2/workflows/validate", WORKFLOWS)
    assert ok.status_code == 200 and ok.json == {"valid": True}
    bad = api.post("/v2/workflows/validate", BAD_WORKFLOW)
    assert bad.status_code == 200
    assert bad.json["valid"] is False and "missing_task" in bad.json["error"]
    assert api.get("/v2/workflows").json["workflows"] == []


def test_list_paging_sorting_fields_and_next_link(api: ApiClient) -> None:
    for i in range(5):
        create(api, ONE_WORKFLOW.replace("single", f"wf{i}"))
    r = api.get("/v2/workflows?limit=2&sort_keys=name&sort_dirs=desc&fields=name,tags")
    assert r.status_code == 200
    page = r.json
    assert [w["name"] for w in page["workflows"]] == ["wf4", "wf3"]
    assert set(page["workflows"][0]) == {"id", "name", "tags"}
    seen = [w["name"] for w in page["workflows"]]
    while "next" in page:
        url = urllib.parse.urlsplit(page["next"])
        assert url.path == "/v2/workflows"
        page = api.get(f"{url.path}?{url.query}").json
        seen += [w["name"] for w in page["workflows"]]
    assert seen == ["wf4", "wf3", "wf2", "wf1", "wf0"]


def test_list_filters_with_prefixes(api: ApiClient) -> None:
    create(api)
    create(api, ONE_WORKFLOW)

    def names(query: str) -> list[str]:
        r = api.get("/v2/workflows?" + query + "&sort_keys=name")
        assert r.status_code == 200, r.text
        return [w["name"] for w in r.json["workflows"]]

    assert names("name=greet") == ["greet"]
    assert names("name=eq:greet") == ["greet"]
    assert names("name=neq:greet") == ["noop", "single"]
    assert names("name=in:greet,single") == ["greet", "single"]
    assert names("name=nin:greet,single") == ["noop"]
    assert names("name=has:oo") == ["noop"]
    assert names("tags=has:demo") == ["greet"]
    assert names("created_at=gte:2000-01-01") == ["greet", "noop", "single"]
    assert names("created_at=lt:2000-01-01") == []


def test_input_defaults_are_written_as_mistral_23_writes_them(api: ApiClient) -> None:
    text = ONE_WORKFLOW.replace("  tasks:", "  input:\n    - n: 3\n    - flag: true\n  tasks:")
    wf = create(api, text)[0]
    assert wf["input"] == 'n="3", flag="True"'
    assert wf["interface"]["input"] == [{"n": 3}, {"flag": True}]


def test_definition_above_the_size_limit_is_413(sqlite_database: object) -> None:
    from mistral.api.app import ApiSettings
    from tests.functional.api.client import build_client

    small = build_client(sqlite_database, settings=ApiSettings(max_definition_size_kb=1))
    big = ONE_WORKFLOW + "# padding\n" * 200
    r = small.post("/v2/workflows", big)
    assert r.status_code == 413 and "1 KiB" in r.fault
    assert small.post("/v2/workflows/validate", big).json["valid"] is False
    assert small.get("/v2/workflows").json["workflows"] == []


def test_large_workflow_is_accepted_and_deep_nesting_refused(api: ApiClient) -> None:
    lines = ["---", "version: '2.0'", "chain:", "  tasks:"]
    for i in range(1000):
        lines.append(f"    t{i}:\n      action: std.echo output={i}")
        if i < 999:
            lines.append(f"      on-success: [t{i + 1}]")
    r = api.post("/v2/workflows", "\n".join(lines) + "\n")
    assert r.status_code == 201, r.text[:300]
    assert "t999:" in api.get("/v2/workflows/chain").json["definition"]
    deep = "version: '2.0'\nwf:\n  vars: " + "[" * 200 + "]" * 200 + "\n  tasks: {}\n"
    r = api.post("/v2/workflows", deep)
    assert r.status_code in (400, 413), r.text
    assert "deep" in r.fault.lower() or "depth" in r.fault.lower(), r.fault
    assert [w["name"] for w in api.get("/v2/workflows").json["workflows"]] == ["chain"]


def test_definition_sent_the_way_curl_does(api: ApiClient) -> None:
    r = api.post("/v2/workflows", ONE_WORKFLOW, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 201, r.text
    assert r.json["workflows"][0]["definition"] == ONE_WORKFLOW


def test_definition_as_json(api: ApiClient) -> None:
    doc = {"version": "2.0", "as_json": {"tasks": {"t1": {"action": "std.noop"}}}}
    r = api.post("/v2/workflows", json.dumps(doc), content_type="application/json")
    assert r.status_code == 201, r.text
    assert r.json["workflows"][0]["name"] == "as_json"


def test_default_page_size_comes_from_settings(sqlite_database: object) -> None:
    from mistral.api.app import ApiSettings
    from tests.functional.api.client import build_client

    small = build_client(sqlite_database, settings=ApiSettings(default_list_limit=2))
    for i in range(3):
        small.post("/v2/workflows", ONE_WORKFLOW.replace("single", f"d{i}"))
    page = small.get("/v2/workflows").json
    assert len(page["workflows"]) == 2 and "limit=2" in page["next"]
    rest = small.get(page["next"].replace("http://localhost", "")).json
    assert len(rest["workflows"]) == 1 and "next" not in rest


def test_list_without_limit_or_with_a_larger_one_is_clamped_to_max_limit(
    sqlite_database: object,
) -> None:
    # Mistral's [api] max_limit: clamped with a 'next' link, not a 400.
    from mistral.api.app import ApiSettings
    from tests.functional.api.client import build_client

    small = build_client(sqlite_database, settings=ApiSettings(max_limit=2))
    for i in range(3):
        small.post("/v2/workflows", ONE_WORKFLOW.replace("single", f"m{i}"))
    for query in ("?limit=100000", ""):
        r = small.get("/v2/workflows" + query)
        assert r.status_code == 200, r.text
        assert len(r.json["workflows"]) == 2 and "limit=2" in r.json["next"], query
    for query in ("?limit=0", "?limit=-1"):  # as Mistral 23: refused, not clamped
        refused = small.get("/v2/workflows" + query)
        assert refused.status_code == 400 and "Limit must be positive" in refused.fault, query
    rest = small.get(r.json["next"].replace("http://localhost", "")).json
    assert len(rest["workflows"]) == 1 and "next" not in rest
    assert len(small.get("/v2/workflows?limit=1").json["workflows"]) == 1
    # Our default_list_limit never exceeds max_limit.
    capped = build_client(sqlite_database, settings=ApiSettings(max_limit=2, default_list_limit=50))
    assert len(capped.get("/v2/workflows").json["workflows"]) == 2


def test_disallowed_expression_language_is_a_400_naming_its_path(sqlite_database: object) -> None:
    from mistral.api.app import ApiSettings
    from tests.functional.api.client import build_client

    yaql_only = build_client(sqlite_database, settings=ApiSettings(allowed_languages=("yaql",)))
    jinja = ONE_WORKFLOW.replace("  tasks:", "  vars:\n    greeting: '{{ 1 + 1 }}'\n  tasks:")
    r = yaql_only.post("/v2/workflows", jinja)
    assert r.status_code == 400, r.text
    assert "vars.greeting" in r.fault and "jinja" in r.fault, r.fault
    assert yaql_only.post("/v2/workflows/validate", jinja).json["valid"] is False
    assert yaql_only.get("/v2/workflows").json["workflows"] == []
    yaql = ONE_WORKFLOW.replace("  tasks:", "  vars:\n    greeting: <% 1 + 1 %>\n  tasks:")
    assert yaql_only.post("/v2/workflows", yaql).status_code == 201


def test_depth_limit_comes_from_settings(sqlite_database: object) -> None:
    from mistral.api.app import ApiSettings
    from tests.functional.api.client import build_client

    shallow = build_client(sqlite_database, settings=ApiSettings(max_definition_depth=6))
    nested = ONE_WORKFLOW.replace("  tasks:", "  vars:\n    a: {b: {c: {d: {e: 1}}}}\n  tasks:")
    r = shallow.post("/v2/workflows", nested)
    assert r.status_code in (400, 413), r.text
    assert "deep" in r.fault.lower() or "depth" in r.fault.lower(), r.fault
    assert shallow.post("/v2/workflows/validate", nested).json["valid"] is False
    assert shallow.post("/v2/workflows", ONE_WORKFLOW).status_code == 201


def test_input_asked_for_comes_with_the_interface(api: ApiClient) -> None:
    # As Mistral 23: both are read from the spec, so fields=input brings interface too.
    create(api)
    (greet,) = api.get("/v2/workflows?name=greet&fields=name,input").json["workflows"]
    assert set(greet) == {"id", "name", "input", "interface"}
    assert json.loads(greet["interface"])["output"] == ["text"]
    (greet,) = api.get("/v2/workflows?name=greet&fields=name").json["workflows"]
    assert set(greet) == {"id", "name"}
    # One workflow asked for its input alone gets no interface (as Mistral 23).
    assert set(api.get("/v2/workflows/greet?fields=input").json) == {"id", "input"}


def test_an_update_answers_the_interface_as_an_object(api: ApiClient) -> None:
    create(api)
    r = api.put("/v2/workflows", WORKFLOWS)
    assert r.status_code == 200, r.text
    assert [w["interface"]["output"] for w in r.json["workflows"]] == [["text"], []]


def test_an_empty_namespace_filter_is_the_default_namespace(api: ApiClient) -> None:
    # As Mistral 23: namespace= names the default namespace ("") rather than none.
    create(api, ONE_WORKFLOW)
    create(api, ONE_WORKFLOW, "?namespace=ns")
    names = lambda q: [(w["name"], w["namespace"])  # noqa: E731
                       for w in api.get("/v2/workflows?name=single" + q).json["workflows"]]
    assert names("&namespace=") == [("single", "")]
    assert names("&namespace=ns") == [("single", "ns")]
    assert sorted(names("")) == [("single", ""), ("single", "ns")]


def test_tags_given_together_must_all_be_there(api: ApiClient) -> None:
    # As Mistral 23: tags=a,b keeps what has both.
    text = "---\nversion: '2.0'\nboth:\n  tags: [a, b]\n  tasks:\n    t:\n      action: std.noop\n" \
           "only_a:\n  tags: [a]\n  tasks:\n    t:\n      action: std.noop\n"
    create(api, text)
    names = lambda q: sorted(w["name"] for w in api.get("/v2/workflows?" + q).json["workflows"])  # noqa: E731
    assert names("tags=a,b") == ["both"]
    assert names("tags=a") == ["both", "only_a"]
    assert names("tags=b,c") == []


def test_an_update_touches_only_the_workflows_it_changes(api: ApiClient) -> None:
    # As Mistral 23: a workflow the update leaves as it was keeps its updated_at (null),
    # and the answer to the update shows it.
    create(api)
    r = api.put("/v2/workflows", WORKFLOWS.replace("Hello", "Bonjour"))
    assert r.status_code == 200, r.text
    got = {w["name"]: w for w in r.json["workflows"]}
    assert got["greet"]["updated_at"] and got["noop"]["updated_at"] is None
    assert api.get("/v2/workflows/noop").json["updated_at"] is None
