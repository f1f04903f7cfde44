"""/v2/workflows/<id>/members: sharing between projects (needs auth, as in Mistral)."""

from __future__ import annotations

from mistral.api.app import ApiSettings
from tests.functional.api.client import ApiClient, build_client
from tests.functional.api.samples import ONE_WORKFLOW

OWNER = {"X-Identity-Status": "Confirmed", "X-Project-Id": "owner-project", "X-User-Id": "u1",
         "X-Roles": "member"}
OTHER = {"X-Identity-Status": "Confirmed", "X-Project-Id": "other-project", "X-User-Id": "u2",
         "X-Roles": "member"}


def test_members_need_authentication(api: ApiClient) -> None:
    r = api.get("/v2/workflows/x/members")
    assert r.status_code == 400
    assert "authentication" in r.fault
    # As Mistral 23 answers every error of its member API: the message alone.
    for r in (r, api.post("/v2/workflows/x/members", {"member_id": "p"}),
              api.get("/v2/workflows/x/members/p")):
        assert r.status_code == 400 and list(r.json) == ["faultstring"]


def test_share_accept_and_unshare(sqlite_database: object) -> None:
    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    wf = api.post("/v2/workflows", ONE_WORKFLOW, headers=OWNER).json["workflows"][0]
    assert wf["project_id"] == "owner-project"
    assert api.get(f"/v2/workflows/{wf['id']}", headers=OTHER).status_code == 404

    r = api.post(f"/v2/workflows/{wf['id']}/members", {"member_id": "other-project"},
                 headers=OWNER)
    assert r.status_code == 201, r.text
    assert r.json["status"] == "pending" and r.json["resource_type"] == "workflow"
    assert api.post(f"/v2/workflows/{wf['id']}/members", {"member_id": "other-project"},
                    headers=OWNER).status_code == 409

    r = api.put(f"/v2/workflows/{wf['id']}/members/other-project", {"status": "accepted"},
                headers=OTHER)
    assert r.status_code == 200 and r.json["status"] == "accepted"
    assert api.get(f"/v2/workflows/{wf['id']}", headers=OTHER).status_code == 200
    listed = api.get(f"/v2/workflows/{wf['id']}/members", headers=OWNER).json["members"]
    assert [m["member_id"] for m in listed] == ["other-project"]
    got = api.get(f"/v2/workflows/{wf['id']}/members/other-project", headers=OTHER)
    assert got.status_code == 200

    r = api.put(f"/v2/workflows/{wf['id']}/members/other-project", {"status": "maybe"},
                headers=OTHER)
    assert r.status_code == 400 and "status" in r.fault
    assert api.delete(f"/v2/workflows/{wf['id']}/members/other-project",
                      headers=OWNER).status_code == 204
    assert api.get(f"/v2/workflows/{wf['id']}", headers=OTHER).status_code == 404


def test_only_owner_shares(sqlite_database: object) -> None:
    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    r = api.post("/v2/workflows?scope=public", ONE_WORKFLOW, headers=OWNER)
    assert r.status_code == 403 and "workflows:publicize" in r.fault  # admins only
    wf = api.post("/v2/workflows?scope=public", ONE_WORKFLOW,
                  headers={**OWNER, "X-Roles": "admin"}).json["workflows"][0]
    r = api.post(f"/v2/workflows/{wf['id']}/members", {"member_id": "x"}, headers=OTHER)
    assert r.status_code == 400
    r = api.post(f"/v2/workflows/{wf['id']}/members", {"member_id": "x"}, headers=OWNER)
    assert r.status_code == 400 and "public" in r.fault
    r = api.post("/v2/workflows/nope/members", {"member_id": "x"}, headers=OWNER)
    assert r.status_code == 404 and list(r.json) == ["faultstring"]


def test_projects_are_isolated(sqlite_database: object) -> None:
    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    assert api.post("/v2/workflows", ONE_WORKFLOW, headers=OWNER).status_code == 201
    assert api.post("/v2/workflows", ONE_WORKFLOW, headers=OTHER).status_code == 201
    mine = api.get("/v2/workflows", headers=OWNER).json["workflows"]
    assert [w["project_id"] for w in mine] == ["owner-project"]
    r = api.delete("/v2/workflows/single", headers=OTHER)
    assert r.status_code == 204
    assert api.get("/v2/workflows/single", headers=OWNER).status_code == 200


def test_unconfirmed_identity_is_401(sqlite_database: object) -> None:
    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    r = api.get("/v2/workflows", headers={"X-Project-Id": "owner-project"})
    assert r.status_code == 401 and "Authentication" in r.fault
    r = api.get("/v2/workflows", headers={**OWNER, "X-Identity-Status": "Invalid"})
    assert r.status_code == 401
    assert api.get("/").status_code == 200


def test_share_by_name_and_workbooks(sqlite_database: object) -> None:
    from tests.functional.api.samples import WORKBOOK

    api = build_client(sqlite_database, settings=ApiSettings(auth_enable=True))
    wf = api.post("/v2/workflows", ONE_WORKFLOW, headers=OWNER).json["workflows"][0]
    r = api.post("/v2/workflows/single/members", {"member_id": "other-project"}, headers=OWNER)
    assert r.status_code == 201 and r.json["resource_id"] == wf["id"]
    listed = api.get("/v2/workflows/single/members", headers=OWNER).json["members"]
    assert [m["resource_id"] for m in listed] == [wf["id"]]
    wb = api.post("/v2/workbooks", WORKBOOK, headers=OWNER).json
    r = api.post("/v2/workbooks/book/members", {"member_id": "other-project"}, headers=OWNER)
    assert r.status_code == 201 and r.json["resource_type"] == "workbook"
    r = api.put(f"/v2/workbooks/{wb['id']}/members/other-project", {"status": "accepted"},
                headers=OTHER)
    assert r.status_code == 200
    assert api.get("/v2/workbooks", headers=OTHER).json["workbooks"][0]["name"] == "book"
