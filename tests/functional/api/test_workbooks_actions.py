"""/v2/workbooks and /v2/actions: workbooks store their workflows and actions; system actions
are listed but cannot be changed."""

from __future__ import annotations

from tests.functional.api.client import ApiClient
from tests.functional.api.samples import ACTIONS, WORKBOOK


def test_workbook_lifecycle(api: ApiClient) -> None:
    r = api.post("/v2/workbooks", WORKBOOK)
    assert r.status_code == 201, r.text
    wb = r.json
    assert wb["name"] == "book" and wb["tags"] == ["wb"] and wb["definition"] == WORKBOOK
    # A create answer has no null fields (as Mistral 23's); a GET shows them.
    assert {k: v for k, v in api.get("/v2/workbooks/book").json.items() if v is not None} == wb
    assert [w["name"] for w in api.get("/v2/workbooks").json["workbooks"]] == ["book"]
    flow = api.get("/v2/workflows/book.flow")
    assert flow.status_code == 200
    assert api.get("/v2/actions/book.hello").json["is_system"] is False

    changed = WORKBOOK.replace("output: hello", "output: bonjour")
    r = api.put("/v2/workbooks", changed)
    assert r.status_code == 200 and r.json["updated_at"]
    assert "bonjour" in api.get("/v2/actions/book.hello").json["definition"]
    assert api.get("/v2/workflows/book.flow").json["id"] == flow.json["id"]

    assert api.post("/v2/workbooks", WORKBOOK).status_code == 409
    assert api.delete("/v2/workbooks/book").status_code == 204
    assert api.get("/v2/workbooks/book").status_code == 404
    # As Mistral 23: the workbook's workflows and actions stay after it is deleted, and
    # creating it again takes them over (same ids).
    assert api.get("/v2/workflows/book.flow").json["id"] == flow.json["id"]
    assert api.get("/v2/actions/book.hello").status_code == 200
    assert api.post("/v2/workbooks", WORKBOOK).status_code == 201
    assert api.get("/v2/workflows/book.flow").json["id"] == flow.json["id"]


def test_workbook_update_keeps_removed_workflows(api: ApiClient) -> None:
    # As Mistral 23: an update creates or updates the workbook's workflows, never deletes.
    extra = "  extra:\n    tasks:\n      t: {action: std.noop}\n"
    two = WORKBOOK.replace("workflows:\n", "workflows:\n" + extra)
    assert api.post("/v2/workbooks", two).status_code == 201
    assert api.get("/v2/workflows/book.extra").status_code == 200
    assert api.put("/v2/workbooks", WORKBOOK).status_code == 200
    assert api.get("/v2/workflows/book.extra").status_code == 200
    assert api.get("/v2/workflows/book.flow").status_code == 200


def test_workbook_workflow_can_be_deleted_alone(api: ApiClient) -> None:
    # As Mistral 23 (its tempest tests delete a workbook's workflows by id).
    assert api.post("/v2/workbooks", WORKBOOK).status_code == 201
    flow = api.get("/v2/workflows/book.flow").json
    assert api.delete(f"/v2/workflows/{flow['id']}").status_code == 204
    assert api.get("/v2/workflows/book.flow").status_code == 404
    assert api.get("/v2/workbooks/book").status_code == 200


def test_workbook_in_a_namespace(api: ApiClient) -> None:
    assert api.post("/v2/workbooks?namespace=ns", WORKBOOK).status_code == 201
    assert api.get("/v2/workbooks/book").status_code == 404
    assert api.get("/v2/workbooks/book?namespace=ns").json["namespace"] == "ns"
    assert api.delete("/v2/workbooks/book?namespace=ns").status_code == 204


def test_invalid_workbook_is_400_and_validate(api: ApiClient) -> None:
    bad = WORKBOOK.replace("name: book\n", "")
    r = api.post("/v2/workbooks", bad)
    assert r.status_code == 400 and r.fault
    assert api.get("/v2/workbooks").json["workbooks"] == []
    assert api.get("/v2/workflows").json["workflows"] == []
    v = api.post("/v2/workbooks/validate", bad)
    assert v.status_code == 200 and v.json["valid"] is False and v.json["error"]
    assert api.post("/v2/workbooks/validate", WORKBOOK).json == {"valid": True}


def test_update_missing_workbook_is_404(api: ApiClient) -> None:
    assert api.put("/v2/workbooks", WORKBOOK).status_code == 404


def test_system_actions_are_listed(api: ApiClient) -> None:
    r = api.get("/v2/actions?limit=1000")
    assert r.status_code == 200
    by_name = {a["name"]: a for a in r.json["actions"]}
    echo = by_name["std.echo"]
    assert echo["is_system"] is True and "output" in echo["input"]
    assert api.get("/v2/actions/std.echo").json["name"] == "std.echo"
    assert api.get("/v2/actions/std.echo/").json["name"] == "std.echo"
    assert api.get(f"/v2/actions/{echo['id']}").json["name"] == "std.echo"


def test_system_actions_cannot_be_changed(api: ApiClient) -> None:
    # As Mistral 23: no ad-hoc action of that name to delete or update (404); creating
    # one that would shadow the system action is refused (Mistral 23 stores it).
    r = api.delete("/v2/actions/std.echo")
    assert r.status_code == 404 and "system" in r.fault
    text = "---\nversion: '2.0'\nstd.echo:\n  base: std.noop\n"
    r = api.put("/v2/actions", text)
    assert r.status_code == 404 and "system" in r.fault
    r = api.post("/v2/actions", text)
    assert r.status_code == 400 and "system" in r.fault


def test_ad_hoc_action_lifecycle(api: ApiClient) -> None:
    r = api.post("/v2/actions", ACTIONS)
    assert r.status_code == 201, r.text
    (action,) = r.json["actions"]
    assert action["name"] == "my_echo" and action["is_system"] is False
    assert action["input"] == 'text, prefix=">"'
    assert action["description"] == "Echo with a prefix"
    assert api.post("/v2/actions", ACTIONS).status_code == 409
    listed = api.get("/v2/actions?is_system=false").json["actions"]
    assert [a["name"] for a in listed] == ["my_echo"]
    r = api.put("/v2/actions", ACTIONS.replace("with a prefix", "prefixed"))
    assert r.status_code == 200 and r.json["actions"][0]["description"] == "Echo prefixed"
    r = api.put(f"/v2/actions/{action['id']}", ACTIONS)
    assert r.status_code == 200 and r.json["actions"][0]["id"] == action["id"]
    assert api.delete("/v2/actions/my_echo").status_code == 204
    assert api.get("/v2/actions/my_echo").status_code == 404


def test_an_update_shows_updated_at_on_every_row(api: ApiClient) -> None:
    # As Mistral 23 (tempest's test_update_action): every row a PUT answers was touched,
    # also one whose text did not change.
    two = ACTIONS + ACTIONS.split("\n\n", 1)[1].replace("my_echo:", "my_echo2:")
    assert api.post("/v2/actions", two).status_code == 201
    r = api.put("/v2/actions", two.replace("with a prefix", "prefixed", 1))
    assert r.status_code == 200, r.text
    assert [bool(a.get("updated_at")) for a in r.json["actions"]] == [True, True]
    for name in ("my_echo", "my_echo2"):
        assert api.get(f"/v2/actions/{name}").json["updated_at"]


def test_ad_hoc_action_in_namespace(api: ApiClient) -> None:
    assert api.post("/v2/actions?namespace=ns", ACTIONS).status_code == 201
    assert api.get("/v2/actions/my_echo/ns").json["namespace"] == "ns"
    assert api.get("/v2/actions/my_echo").status_code == 404
    assert api.delete("/v2/actions/my_echo/ns").status_code == 204


def test_action_paging_mixes_sources(api: ApiClient) -> None:
    assert api.post("/v2/actions", ACTIONS).status_code == 201
    seen: list[str] = []
    page = api.get("/v2/actions?limit=3").json
    seen += [a["name"] for a in page["actions"]]
    while "next" in page:
        page = api.get(page["next"].replace("http://localhost", "")).json
        seen += [a["name"] for a in page["actions"]]
    assert seen == sorted(seen) and "my_echo" in seen and "std.echo" in seen
    assert len(seen) == len(set(seen))


def test_invalid_action_and_validate(api: ApiClient) -> None:
    bad = "---\nversion: '2.0'\nbroken:\n  base: 42\n"
    r = api.post("/v2/actions", bad)
    assert r.status_code == 400 and "broken" in r.fault
    assert api.post("/v2/actions/validate", bad).json["valid"] is False
    assert api.post("/v2/actions/validate", ACTIONS).json == {"valid": True}


def test_workbook_takes_over_a_same_named_action(api: ApiClient) -> None:
    # As Mistral 23: a workbook creates or updates its '<workbook>.<name>' rows.
    clash = "---\nversion: '2.0'\nbook.hello:\n  base: std.noop\n"
    assert api.post("/v2/actions", clash).status_code == 201
    r = api.post("/v2/workbooks", WORKBOOK)
    assert r.status_code == 201, r.text
    assert "output: hello" in api.get("/v2/actions/book.hello").json["definition"]
    assert api.get("/v2/workflows/book.flow").status_code == 200


def test_an_action_input_with_a_mapping_default(api: ApiClient) -> None:
    # a mapping (or list) default is shown as JSON in the input string, not a 500
    r = api.post("/v2/actions", """
version: '2.0'
with_opts:
  base: std.echo
  base-input: {output: <% $.v %>}
  input: [v, opts: {a: 1}, items: [1, 2]]
""")
    assert r.status_code == 201, r.text
    assert r.json["actions"][0]["input"] == 'v, opts={"a": 1}, items=[1, 2]'


def test_a_workbooks_workflows_and_actions_keep_their_own_lines(api: ApiClient) -> None:
    # As Mistral 23: each keeps the lines it was written in (dedented).
    text = ("---\nversion: '2.0'\nname: lines\nactions:\n  twice:\n    input: [v]\n"
            "    base: std.echo output=<% $.v %>\n\nworkflows:\n  wf:\n    tasks:\n"
            "      t:\n        action: twice v=1\n")
    assert api.post("/v2/workbooks", text).status_code == 201
    action = api.get("/v2/actions/lines.twice").json
    assert action["definition"] == "twice:\n  input: [v]\n  base: std.echo output=<% $.v %>\n\n"
    wf = api.get("/v2/workflows/lines.wf").json
    assert wf["definition"] == "wf:\n  tasks:\n    t:\n      action: twice v=1\n"
    # A change of the workbook reaches the workflow (its checksum keys the spec cache).
    changed = text.replace("twice v=1", "std.echo output=2")
    assert api.put("/v2/workbooks", changed).status_code == 200
    assert api.post("/v2/executions", {"workflow_name": "lines.wf"}).status_code == 201
    assert "std.echo" in api.get("/v2/workflows/lines.wf").json["definition"]
