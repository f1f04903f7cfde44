"""Projects kept apart, and Mistral 23's rules, with real tokens of three projects and the
admin from a real Keystone 30 (``tests/keystone.py``), against one ``mistral-server``
process with ``[pecan] auth_enable = True`` for the module. Nothing is faked.

The rules and codes are Mistral 23's (its default policy and its database layer, read from
its package): making anything public is admin-only (403); changing or deleting another
project's public or shared row is a 403; only the member sets a membership's status, only
the owner removes a member (404 otherwise). Two holes of Mistral stay closed: the
``X-Target-*`` headers never change the caller's project, and a project that a workflow
was shared with cannot share it on.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.api.samples import CODE_SOURCE
from tests.functional.auth.test_keystone_policy import Api, Tenants, mistral_server, wf_text
from tests.keystone import Keystone

ACTION = """---
version: '2.0'
{name}:
  base: std.echo
  base-input:
    output: hi
"""
WORKBOOK = """---
version: '2.0'
name: {name}
workflows:
  inner:
    tasks:
      t:
        action: std.noop
"""


@pytest.fixture(scope="module")
def tenants(keystone: Keystone) -> Tenants:
    return Tenants(keystone)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[tuple[str, Path]]:
    workdir: Path = tmp_path_factory.mktemp("matrix")
    policy_file = workdir / "policy.yaml"
    policy_file.write_text("{}\n")
    with mistral_server(workdir, keystone, policy_file) as root:
        yield root, policy_file


@pytest.fixture
def url(server: tuple[str, Path]) -> str:
    return server[0]


def _apis(url: str, t: Tenants) -> tuple[Api, Api, Api, Api]:
    return (t.api(url, t.alpha), t.api(url, t.beta), t.api(url, t.gamma), t.api(url, t.admin))


def test_publicizing_is_admin_only(url: str, tenants: Tenants) -> None:
    alpha, _, _, admin = _apis(url, tenants)
    wf = alpha.create_workflow("pub_target")
    attempts = [
        ("POST", "/workflows", None, wf_text("pub_wf"), {"scope": "public"}),
        ("PUT", "/workflows", None, wf_text("pub_target"), {"scope": "public"}),
        ("POST", "/actions", None, ACTION.format(name="pub_action"), {"scope": "public"}),
        ("POST", "/workbooks", None, WORKBOOK.format(name="pub_wb"), {"scope": "public"}),
        ("POST", "/environments", {"name": "pub_env", "variables": {}, "scope": "public"},
         None, {}),
        ("POST", "/cron_triggers", {"name": "pub_cron", "workflow_name": "pub_target",
                                    "pattern": "0 0 1 1 *", "scope": "public"}, None, {}),
        ("POST", "/event_triggers", {"name": "pub_ev", "workflow_id": wf["id"],
                                     "exchange": "x", "topic": "t", "event": "e",
                                     "scope": "public"}, None, {}),
    ]
    for method, path, body, text, params in attempts:
        r = alpha.call(method, path, body, text, **params)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
        assert ":publicize" in r.json()["faultstring"], r.text
    assert "pub_wf" not in alpha.names("workflows")
    assert alpha.call("GET", "/environments/pub_env").status_code == 404
    assert alpha.ok("GET", "/workflows/pub_target")["scope"] == "private"
    admin.create_workflow("admin_public_wf", scope="public")  # an admin may


def test_another_projects_public_workflow_cannot_be_changed(url: str, tenants: Tenants) -> None:
    _, beta, _, admin = _apis(url, tenants)
    wf = admin.create_workflow("shown_to_all", scope="public")
    assert beta.ok("GET", f"/workflows/{wf['id']}")["name"] == "shown_to_all"
    r = beta.call("PUT", "/workflows", text=wf_text("shown_to_all"))
    assert r.status_code == 403, r.text
    r = beta.call("DELETE", f"/workflows/{wf['id']}")
    assert r.status_code == 403, r.text
    assert admin.ok("GET", f"/workflows/{wf['id']}")["scope"] == "public"


def test_sharing_accept_reject_revoke(url: str, tenants: Tenants) -> None:
    alpha, beta, gamma, _ = _apis(url, tenants)
    p_beta, p_gamma = tenants.beta.project_id, tenants.gamma.project_id
    wf = alpha.create_workflow("shared_matrix")
    members = f"/workflows/{wf['id']}/members"
    alpha.ok("POST", members, {"member_id": p_beta}, status=201)
    assert alpha.call("PUT", f"{members}/{p_beta}", {"status": "accepted"}).status_code == 404
    assert gamma.call("PUT", f"{members}/{p_beta}", {"status": "accepted"}).status_code == 404
    beta.ok("PUT", f"{members}/{p_beta}", {"status": "rejected"})
    assert "shared_matrix" not in beta.names("workflows")
    beta.ok("PUT", f"{members}/{p_beta}", {"status": "accepted"})
    assert "shared_matrix" in beta.names("workflows")
    assert "shared_matrix" not in gamma.names("workflows")
    assert gamma.call("GET", f"/workflows/{wf['id']}").status_code == 404

    # the member uses it, but neither changes, deletes, nor shares it on
    ex = beta.ok("POST", "/executions", {"workflow_id": wf["id"]}, status=201)
    assert ex["project_id"] == p_beta
    assert beta.call("PUT", "/workflows", text=wf_text("shared_matrix")).status_code == 403
    assert beta.call("DELETE", f"/workflows/{wf['id']}").status_code == 403
    r = beta.call("POST", members, {"member_id": p_gamma})
    assert r.status_code in (400, 403), r.text
    assert "shared_matrix" not in gamma.names("workflows")
    assert beta.call("DELETE", f"{members}/{p_beta}").status_code == 404  # owner removes
    assert "shared_matrix" in beta.names("workflows")

    assert alpha.call("DELETE", f"{members}/{p_beta}").status_code == 204  # revoked
    assert "shared_matrix" not in beta.names("workflows")
    assert beta.call("GET", f"/executions/{ex['id']}").status_code == 200  # its own run


def test_each_resource_is_its_projects_own(url: str, tenants: Tenants) -> None:
    alpha, beta, _, admin = _apis(url, tenants)
    wf = alpha.create_workflow("owned_matrix")
    ex = alpha.ok("POST", "/executions", {"workflow_name": "owned_matrix"}, status=201)
    action_ex = alpha.ok("POST", "/action_executions",
                         {"name": "std.echo", "input": {"output": "a"},
                          "params": {"save_result": True}}, status=201)
    alpha.ok("POST", "/actions", text=ACTION.format(name="owned_action"), status=201)
    alpha.ok("POST", "/workbooks", text=WORKBOOK.format(name="owned_wb"), status=201)
    alpha.ok("POST", "/environments", {"name": "owned_env", "variables": {"k": 1}}, status=201)
    cron = alpha.ok("POST", "/cron_triggers", {"name": "owned_cron", "pattern": "0 0 1 1 *",
                                               "workflow_name": "owned_matrix"}, status=201)
    event = alpha.ok("POST", "/event_triggers", {"name": "owned_ev", "workflow_id": wf["id"],
                                                "exchange": "x", "topic": "t", "event": "e"},
                     status=201)
    tasks = alpha.ok("GET", "/tasks", workflow_execution_id=ex["id"])["tasks"]
    items = {
        "workflows": wf["id"], "executions": ex["id"], "action_executions": action_ex["id"],
        "actions": "owned_action", "workbooks": "owned_wb", "environments": "owned_env",
        "cron_triggers": cron["name"], "event_triggers": event["id"],
    }
    if tasks:
        items["tasks"] = tasks[0]["id"]
    for resource, ident in items.items():
        assert alpha.call("GET", f"/{resource}/{ident}").status_code == 200, resource
        assert beta.call("GET", f"/{resource}/{ident}").status_code == 404, resource
        listed = json.dumps(beta.ok("GET", f"/{resource}"))
        assert str(ident) not in listed, resource
        everything = json.dumps(admin.ok("GET", f"/{resource}", all_projects="true")) \
            if resource not in ("actions", "workbooks", "environments", "tasks",
                                "action_executions") else ""
        if everything:
            assert str(ident) in everything, resource
    for resource in ("executions", "cron_triggers", "event_triggers",
                     "environments", "workbooks", "actions", "workflows"):
        r = beta.call("DELETE", f"/{resource}/{items[resource]}")
        assert r.status_code == 404, (resource, r.status_code, r.text)
    r = beta.call("PUT", f"/executions/{ex['id']}", {"state": "PAUSED"})
    assert r.status_code == 404, r.text
    r = beta.call("PUT", "/environments", {"name": "owned_env", "variables": {"k": 2}})
    assert r.status_code == 404, r.text
    assert alpha.ok("GET", "/environments/owned_env")["variables"] in ({"k": 1}, '{"k": 1}')


def test_target_headers_never_change_the_callers_project(url: str, tenants: Tenants) -> None:
    alpha, beta, _, _ = _apis(url, tenants)
    beta.create_workflow("beta_target_secret")
    catalog = base64.b64encode(json.dumps([]).encode()).decode()
    headers = {"X-Target-Auth-Uri": "http://127.0.0.1:9/v3", "X-Target-Auth-Token": "x",
               "X-Target-Project-Id": tenants.beta.project_id, "X-Target-User-Id": "u",
               "X-Target-Service-Catalog": catalog, "X-Project-Id": tenants.beta.project_id}
    alpha.headers.update(headers)
    try:
        assert "beta_target_secret" not in alpha.names("workflows")
        made = alpha.create_workflow("alpha_with_target")
        assert made["project_id"] == tenants.alpha.project_id
        r = alpha.call("GET", "/workflows", project_id=tenants.beta.project_id)
        assert "beta_target_secret" not in r.text
    finally:
        for k in headers:
            alpha.headers.pop(k, None)


def test_another_projects_rows_cannot_be_changed_or_run(url: str, tenants: Tenants) -> None:
    alpha, beta, _, _ = _apis(url, tenants)
    wf = alpha.create_workflow("kept_matrix")
    alpha.ok("POST", "/actions", text=ACTION.format(name="kept_action"), status=201)
    alpha.ok("POST", "/workbooks", text=WORKBOOK.format(name="kept_wb"), status=201)
    ex = alpha.ok("POST", "/executions", {"workflow_id": wf["id"]}, status=201)
    action_ex = alpha.ok("POST", "/action_executions", {
        "name": "std.echo", "input": {"output": "a"}, "params": {"save_result": True}},
        status=201)
    tasks = alpha.ok("GET", "/tasks", workflow_execution_id=ex["id"])["tasks"]

    # updates by name or id of rows beta cannot see are 404s, and change nothing
    for path, text in ((f"/workflows/{wf['id']}", wf_text("kept_matrix")),
                       ("/actions/kept_action", ACTION.format(name="kept_action")),
                       ("/workbooks", WORKBOOK.format(name="kept_wb"))):
        r = beta.call("PUT", path, text=text)
        assert r.status_code == 404, (path, r.status_code, r.text)
    assert alpha.ok("GET", "/workflows/kept_matrix")["project_id"] == tenants.alpha.project_id
    r = beta.call("PUT", f"/action_executions/{action_ex['id']}", {"state": "ERROR"})
    assert r.status_code == 404, r.text
    if tasks:
        r = beta.call("PUT", f"/tasks/{tasks[0]['id']}", {"state": "RUNNING", "reset": True})
        assert r.status_code == 404, r.text
    assert beta.call("GET", f"/executions/{ex['id']}/tasks").status_code == 404
    r = beta.call("POST", f"/workflows/{wf['id']}/members",
                  {"member_id": tenants.beta.project_id})
    assert r.status_code == 404, r.text

    # nor can beta run them: not alpha's workflow by id, nor alpha's ad-hoc action
    r = beta.call("POST", "/executions", {"workflow_id": wf["id"]})
    assert r.status_code == 404, r.text
    r = beta.call("POST", "/action_executions", {"name": "kept_action"})
    assert r.status_code in (400, 404), r.text
    assert alpha.ok("GET", f"/action_executions/{action_ex['id']}")["state"] == "SUCCESS"


def test_code_sources_and_dynamic_actions_are_their_projects_own(
        server: tuple[str, Path], tenants: Tenants) -> None:
    url, policy_file = server
    alpha, beta, _, admin = _apis(url, tenants)
    # admin-only by default, as in Mistral 23 (uploaded Python runs in the service)
    r = alpha.call("POST", "/code_sources?name=alpha_mod", text=CODE_SOURCE)
    assert r.status_code == 403, r.text
    # an operator opens them to every project; they stay each project's own
    opened = {f"{res}:{verb}": "rule:admin_or_owner" for res in ("code_sources", "dynamic_actions")
              for verb in ("create", "delete", "get", "list", "update")}
    policy_file.write_text(json.dumps(opened) + "\n")
    try:
        src = alpha.ok("POST", "/code_sources?name=alpha_mod", text=CODE_SOURCE, status=201)
        dyn = alpha.ok("POST", "/dynamic_actions", {"name": "alpha_hello", "class_name": "Hello",
                                                    "code_source_name": "alpha_mod"}, status=201)
        for res, item, ident in (("code_sources", src, "alpha_mod"),
                                 ("dynamic_actions", dyn, "alpha_hello")):
            assert alpha.call("GET", f"/{res}/{ident}").status_code == 200, res
            assert beta.call("GET", f"/{res}/{ident}").status_code == 404, res
            assert beta.call("GET", f"/{res}/{item['id']}").status_code == 404, res
            for other in (beta, admin):  # an admin lists its own project's too
                assert item["id"] not in json.dumps(other.ok("GET", f"/{res}")), res
            # as Mistral 23 (its DB layer's "insecure" reads), an admin reads any one row
            assert admin.call("GET", f"/{res}/{item['id']}").status_code == 200, res
            assert beta.call("DELETE", f"/{res}/{ident}").status_code == 404, res
        assert beta.call("PUT", "/code_sources/alpha_mod", text="X = 1\n").status_code == 404
        r = beta.call("PUT", "/dynamic_actions", {"name": "alpha_hello", "class_name": "Other"})
        assert r.status_code == 404, r.text
        # beta's own action of that name, not alpha's
        r = beta.call("POST", "/action_executions", {"name": "alpha_hello",
                                                     "input": {"name": "b"}})
        assert r.status_code in (400, 404), r.text
        ran = alpha.ok("POST", "/action_executions", {
            "name": "alpha_hello", "input": {"name": "a"}, "params": {"run_sync": True}},
            status=201)
        assert ran["state"] == "SUCCESS", ran
        assert alpha.ok("GET", "/code_sources/alpha_mod")["version"] == 1
        alpha.ok("DELETE", "/code_sources/alpha_mod", status=204)
    finally:
        policy_file.write_text("{}\n")


def test_triggers_hold_a_trust_of_their_creator(url: str, tenants: Tenants,
                                                keystone: Keystone) -> None:
    alpha, beta, _, _ = _apis(url, tenants)
    wf = alpha.create_workflow("trusted_matrix")
    user = tenants.alpha.user_id
    before = {t["id"] for t in keystone.trusts_of(user)}
    alpha.ok("POST", "/cron_triggers", {"name": "trusted_cron", "pattern": "0 0 1 1 *",
                                        "workflow_name": "trusted_matrix"}, status=201)
    event = alpha.ok("POST", "/event_triggers", {"name": "trusted_ev", "workflow_id": wf["id"],
                                                 "exchange": "x", "topic": "t2", "event": "e"},
                     status=201)
    made = [t for t in keystone.trusts_of(user) if t["id"] not in before]
    assert len(made) == 2
    for t in made:
        assert t["trustee_user_id"] == keystone.service.user_id and t["impersonation"] is True
        assert t["project_id"] == tenants.alpha.project_id
    assert beta.call("DELETE", "/cron_triggers/trusted_cron").status_code == 404
    assert {t["id"] for t in made} <= {t["id"] for t in keystone.trusts_of(user)}
    alpha.ok("DELETE", "/cron_triggers/trusted_cron", status=204)
    alpha.ok("DELETE", f"/event_triggers/{event['id']}", status=204)
    assert {t["id"] for t in keystone.trusts_of(user)} == before
