"""``[pecan] auth_enable = True`` end to end: a real ``mistral-server`` process behind
keystonemiddleware's ``auth_token`` (configured from ``[keystone_authtoken]``, as a Mistral
operator writes it) with Mistral's policy rules.

Nothing is faked: a real Keystone 30 (``tests/keystone.py``, the ``keystone`` fixture)
issues the tokens of three projects and an admin, and the middleware validates them with
it. The server process, its SQLite database, oslo.policy and the policy file are real.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mistralclient.api.client import client as mistral_client
from tests.compat.harness import free_port
from tests.keystone import Credentials, Keystone

CONFIG = """[DEFAULT]
state_path = {state}

[api]
host = 127.0.0.1
port = {port}

[pecan]
auth_enable = True

[executor]
type = local

{authtoken}
[oslo_policy]
policy_file = {policy}

[healthcheck]
enabled = True
"""


def wf_text(name: str) -> str:
    return f"""---
version: '2.0'
{name}:
  tasks:
    hello:
      action: std.noop
"""


@contextlib.contextmanager
def mistral_server(workdir: Path, keystone: Keystone, policy_file: Path,
                   token_cache_time: int = 300) -> Iterator[str]:
    """``mistral-server --server all`` as a real process with auth on; yields its root URL.
    ``token_cache_time = -1``: the middleware asks Keystone about every request, so a
    revoked token is refused at once (an expired one is, whatever the cache)."""
    port = free_port()
    conf = workdir / "mistral.conf"
    conf.write_text(CONFIG.format(
        state=workdir / "state", port=port, policy=policy_file,
        authtoken=keystone.authtoken_section(token_cache_time=token_cache_time)))
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "mistral-server"), "--server", "all",
             "--config-file", str(conf)],
            cwd=str(workdir), stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:  # readiness: the public version document answers
                if proc.poll() is not None:
                    raise RuntimeError("mistral-server exited: " + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(url + "/", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("mistral-server did not start") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Api:
    """Requests to the server as one Keystone user (``token=None``: anonymous)."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url + "/v2"
        self.headers = {"X-Auth-Token": token} if token else {}

    def call(self, method: str, path: str, body: Any = None, text: str | None = None,
             **params: Any) -> requests.Response:
        headers = dict(self.headers)
        data = None
        if text is not None:
            headers["Content-Type"] = "text/plain"
            data = text
        return requests.request(method, self.url + path, headers=headers, params=params,
                                json=body, data=data, timeout=60)

    def ok(self, method: str, path: str, body: Any = None, text: str | None = None,
           status: int = 200, **params: Any) -> Any:
        r = self.call(method, path, body, text, **params)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def names(self, resource: str, **params: Any) -> set[str]:
        return {w["name"] for w in self.ok("GET", f"/{resource}", **params)[resource]}

    def create_workflow(self, name: str, **params: Any) -> dict[str, Any]:
        return self.ok("POST", "/workflows", text=wf_text(name), status=201,
                       **params)["workflows"][0]


class Tenants:
    """Three projects with a member each, and the admin, with a token each."""

    def __init__(self, keystone: Keystone) -> None:
        self.alpha = keystone.make_project_user("alpha")
        self.beta = keystone.make_project_user("beta")
        self.gamma = keystone.make_project_user("gamma")
        self.admin: Credentials = keystone.admin
        self.token = {c.username: keystone.token(c)[0]
                      for c in (self.alpha, self.beta, self.gamma, self.admin)}

    def api(self, url: str, who: Credentials) -> "Api":
        return Api(url, self.token[who.username])


@pytest.fixture(scope="module")
def tenants(keystone: Keystone) -> Tenants:
    return Tenants(keystone)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           keystone: Keystone) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("auth")
    policy_file = workdir / "policy.yaml"
    policy_file.write_text("{}\n")
    with mistral_server(workdir, keystone, policy_file, token_cache_time=-1) as url:
        yield url, policy_file


@pytest.fixture
def url(server: tuple[str, Path]) -> str:
    return server[0]


def test_no_token_or_a_bad_one_is_401(url: str) -> None:
    assert requests.get(url + "/", timeout=30).status_code == 200  # the version document
    for token in (None, "not-a-token"):
        r = Api(url, token).call("GET", "/workflows")
        assert r.status_code == 401, r.text
        assert "WWW-Authenticate" in r.headers
    spoofed = requests.get(url + "/v2/workflows", timeout=30, headers={
        "X-Identity-Status": "Confirmed", "X-Project-Id": "p-alpha", "X-Roles": "admin"})
    assert spoofed.status_code == 401  # identity headers from the client are not trusted


def test_revoked_and_expired_tokens_are_refused_at_once(url: str, keystone: Keystone) -> None:
    import datetime

    carol = keystone.make_project_user("revoked")
    token, _ = keystone.token(carol)
    api = Api(url, token)
    assert api.call("GET", "/workflows").status_code == 200
    keystone.revoke(token)
    r = api.call("GET", "/workflows")
    assert r.status_code == 401, r.text  # the very next request
    assert "WWW-Authenticate" in r.headers

    short, body = keystone.short_lived_token(carol, seconds=8)
    expires = datetime.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    status = Api(url, short).call("GET", "/workflows").status_code
    if datetime.datetime.now(datetime.timezone.utc) < expires:  # answered in time: it was good
        assert status == 200
    while datetime.datetime.now(datetime.timezone.utc) <= expires:  # Keystone's clock passes it
        time.sleep(0.2)
    r = Api(url, short).call("POST", "/workflows", text=wf_text("after_expiry"))
    assert r.status_code == 401, r.text
    assert "after_expiry" not in Api(url, keystone.token(carol)[0]).names("workflows")


def test_healthcheck_is_served_without_a_token_and_only_at_its_path(url: str) -> None:
    # [healthcheck] enabled: oslo.middleware's healthcheck, outside auth as in Mistral
    r = requests.get(url + "/healthcheck", timeout=30)
    assert r.status_code == 200, r.text
    assert requests.get(url + "/healthcheck/x", timeout=30).status_code in (401, 404)
    assert Api(url, None).call("GET", "/workflows").status_code == 401


def test_projects_see_their_own_private_rows_and_public_ones(url: str, tenants: Tenants) -> None:
    alpha, beta = tenants.api(url, tenants.alpha), tenants.api(url, tenants.beta)
    alpha.create_workflow("alpha_private")
    tenants.api(url, tenants.admin).create_workflow("alpha_public", scope="public")  # admins publicize
    beta.create_workflow("beta_private")

    assert {"alpha_private", "alpha_public"} <= alpha.names("workflows")
    assert "beta_private" not in alpha.names("workflows")
    seen_by_beta = beta.names("workflows")
    assert {"beta_private", "alpha_public"} <= seen_by_beta
    assert "alpha_private" not in seen_by_beta
    assert beta.call("GET", "/workflows/alpha_private").status_code == 404
    assert beta.call("DELETE", "/workflows/alpha_public").status_code in (400, 403)

    ex_alpha = alpha.ok("POST", "/executions", {"workflow_name": "alpha_private"}, status=201)
    ex_beta = beta.ok("POST", "/executions", {"workflow_name": "alpha_public"}, status=201)
    assert ex_alpha["project_id"] == tenants.alpha.project_id
    assert ex_beta["project_id"] == tenants.beta.project_id
    ids = lambda api: {e["id"] for e in api.ok("GET", "/executions")["executions"]}  # noqa: E731
    assert ex_alpha["id"] in ids(alpha) and ex_beta["id"] not in ids(alpha)
    assert ex_beta["id"] in ids(beta) and ex_alpha["id"] not in ids(beta)
    assert beta.call("GET", f"/executions/{ex_alpha['id']}").status_code == 404


def test_sharing_through_members(url: str, tenants: Tenants) -> None:
    alpha, beta = tenants.api(url, tenants.alpha), tenants.api(url, tenants.beta)
    p_beta = tenants.beta.project_id
    wf = alpha.create_workflow("alpha_shared")
    assert "alpha_shared" not in beta.names("workflows")

    member = alpha.ok("POST", f"/workflows/{wf['id']}/members", {"member_id": p_beta},
                      status=201)
    assert member["status"] == "pending"
    assert "alpha_shared" not in beta.names("workflows")  # not before it is accepted

    beta.ok("PUT", f"/workflows/{wf['id']}/members/{p_beta}", {"status": "accepted"})
    assert "alpha_shared" in beta.names("workflows")
    ex = beta.ok("POST", "/executions", {"workflow_id": wf["id"]}, status=201)
    assert ex["project_id"] == p_beta
    assert "alpha_shared" not in tenants.api(url, tenants.gamma).names("workflows")
    assert "alpha_shared" not in tenants.api(url, tenants.admin).names("workflows")


def test_admin_lists_every_project_with_all_projects(url: str, tenants: Tenants) -> None:
    alpha, beta = tenants.api(url, tenants.alpha), tenants.api(url, tenants.beta)
    admin = tenants.api(url, tenants.admin)
    alpha.create_workflow("alpha_for_admin")
    ex = alpha.ok("POST", "/executions", {"workflow_name": "alpha_for_admin"}, status=201)

    assert "alpha_for_admin" not in admin.names("workflows")  # like Mistral: own project
    assert "alpha_for_admin" in admin.names("workflows", all_projects="true")
    # As Mistral 23: an admin's project_id filter reads that project; another user's does not.
    of_alpha = admin.names("workflows", project_id=tenants.alpha.project_id)
    assert "alpha_for_admin" in of_alpha and "beta_private" not in of_alpha
    assert "alpha_for_admin" not in beta.names("workflows", project_id=tenants.alpha.project_id)
    listed = admin.ok("GET", "/executions", all_projects="true")["executions"]
    assert ex["id"] in {e["id"] for e in listed}
    assert ex["id"] not in {e["id"] for e in admin.ok("GET", "/executions")["executions"]}

    for resource in ("workflows", "executions", "cron_triggers", "event_triggers"):
        r = beta.call("GET", f"/{resource}", all_projects="true")
        assert r.status_code == 403, (resource, r.text)
        assert f"{resource}:list:all_projects" in r.json()["faultstring"]


def test_our_client_sends_the_token(url: str, tenants: Tenants) -> None:
    mistral = mistral_client(mistral_url=url + "/v2", auth_token=tenants.token[tenants.alpha.username])
    mistral.workflows.create(wf_text("alpha_by_client"))
    assert "alpha_by_client" in {w.name for w in mistral.workflows.list()}
    anonymous = mistral_client(mistral_url=url + "/v2")
    with pytest.raises(Exception) as err:
        anonymous.workflows.list()
    assert "401" in str(err.value)


def test_policy_file_override_denies_workflow_creation(server: tuple[str, Path],
                                                       tenants: Tenants) -> None:
    url, policy_file = server
    alpha, admin = tenants.api(url, tenants.alpha), tenants.api(url, tenants.admin)
    policy_file.write_text('"workflows:create": "role:admin"\n')
    try:
        # oslo.policy re-reads a changed policy file: no restart needed
        r = alpha.call("POST", "/workflows", text=wf_text("denied_wf"))
        assert r.status_code == 403, r.text
        # a definition upload answers an error with the message alone, as Mistral 23
        assert "workflows:create" in r.json()["faultstring"]
        assert "denied_wf" not in alpha.names("workflows")  # reading is still allowed
        admin.create_workflow("admin_wf")
    finally:
        policy_file.write_text("{}\n")
    alpha.create_workflow("allowed_again")


def test_a_broken_policy_file_is_a_clear_500_until_fixed(server: tuple[str, Path],
                                                         tenants: Tenants) -> None:
    url, policy_file = server
    alpha = tenants.api(url, tenants.alpha)
    policy_file.write_text('"workflows:list": [unclosed\n')
    try:
        r = alpha.call("GET", "/workflows")
        assert r.status_code == 500, r.text
        assert "policy file" in r.json()["faultstring"]
    finally:
        policy_file.write_text("{}\n")
    assert alpha.call("GET", "/workflows").status_code == 200
