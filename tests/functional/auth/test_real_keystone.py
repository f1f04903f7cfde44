"""The real Keystone harness (``tests/keystone.py``) and what keystonemiddleware's
``auth_token`` in front of our API tells the request context, against a real Keystone 30.

No fake: the middleware validates real fernet tokens with the Keystone of the run; a
small WSGI app behind it renders the ``RequestContext`` the API would build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from oslo_config import cfg
from webob import Request, Response

from mistral.api import auth
from mistral.api.app import ApiSettings
from mistral.api.hooks import context_from_headers
from tests.keystone import Keystone


def _probe(settings: ApiSettings) -> Any:
    def app(environ: dict, start_response: Any) -> Any:
        ctx = context_from_headers(Request(environ).headers, True, environ, settings)
        return Response(json=ctx.to_dict())(environ, start_response)
    return app


@pytest.fixture(scope="module")
def guarded(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The probe behind the real auth_token middleware, configured as an operator would."""
    path: Path = tmp_path_factory.mktemp("authtoken") / "mistral.conf"
    # token_cache_time = -1: every request is validated, so a revocation shows at once
    path.write_text("[pecan]\nauth_enable = True\n"
                    + keystone.authtoken_section(token_cache_time=-1, region_name="RegionOne"))
    conf = cfg.ConfigOpts()
    conf.register_opts([cfg.BoolOpt("auth_enable")], group="pecan")
    auth.register_opts(conf)
    conf(["--config-file", str(path)], project="mistral")
    app = auth.with_keystone(_probe(_settings(conf)), conf)
    yield app
    conf.reset()


def _settings(conf: cfg.ConfigOpts) -> ApiSettings:
    from mistral.api.services import _keystone_settings

    return ApiSettings(auth_enable=True, **_keystone_settings(conf))


def _get(app: Any, token: str | None, **headers: str) -> Response:
    req = Request.blank("/v2/anything", headers={**({"X-Auth-Token": token} if token else {}),
                                                  **headers})
    return req.get_response(app)


def test_harness_projects_tokens_and_the_catalog(keystone: Keystone) -> None:
    alice = keystone.make_project_user("alpha")
    bob = keystone.make_project_user("beta", roles=("member", "reader"))
    assert alice.project_id != bob.project_id
    token, body = keystone.token(alice)
    assert body["project"]["id"] == alice.project_id and body["user"]["id"] == alice.user_id
    assert {r["name"] for r in keystone.token(bob)[1]["roles"]} >= {"member", "reader"}
    keystone.register_service("compute", "nova", {"public": "http://127.0.0.1:9/compute"},
                              region="RegionTwo")
    catalog = {s["type"]: s for s in keystone.token(alice)[1]["catalog"]}
    assert catalog["compute"]["endpoints"][0]["url"] == "http://127.0.0.1:9/compute"
    assert catalog["compute"]["endpoints"][0]["region"] == "RegionTwo"
    assert catalog["identity"]["endpoints"][0]["url"] == keystone.url
    admin_token = keystone.admin_token()
    check = lambda: requests.get(keystone.url + "/auth/tokens", timeout=30, headers={  # noqa: E731
        "X-Auth-Token": admin_token, "X-Subject-Token": token}).status_code
    assert check() == 200
    keystone.revoke(token)
    assert check() == 404


def test_the_context_carries_what_openstack_actions_need(guarded: Any,
                                                         keystone: Keystone) -> None:
    alice = keystone.make_project_user("ctx")
    # a region of its own: other tests' clients find their own servers in theirs
    keystone.register_service("workflowv2", "mistral", {
        "public": "http://127.0.0.1:8989/v2", "internal": "http://127.0.0.1:8990/v2"},
        region="ctx-check")
    token, body = keystone.token(alice)
    r = _get(guarded, token)
    assert r.status_code == 200, r.text
    ctx = r.json
    assert ctx["project_id"] == alice.project_id and ctx["user_id"] == alice.user_id
    assert ctx["user_name"] == alice.username and ctx["project_name"] == alice.project_name
    assert "member" in ctx["roles"] and "admin" not in ctx["roles"]
    assert ctx["is_admin"] is False
    assert ctx["auth_token"] == token
    assert ctx["auth_uri"] == keystone.url
    assert ctx["region_name"] == "RegionOne"
    assert ctx["expires_at"] == body["expires_at"]
    assert ctx["trust_id"] is None and ctx["is_target"] is False
    services = {s["type"]: s for s in ctx["service_catalog"]}
    assert services["workflowv2"]["name"] == "mistral"
    [ours] = [e for e in services["workflowv2"]["endpoints"] if e["region"] == "ctx-check"]
    assert ours["publicURL"] == "http://127.0.0.1:8989/v2"
    assert ours["internalURL"] == "http://127.0.0.1:8990/v2"

    admin = _get(guarded, keystone.admin_token()).json
    assert admin["is_admin"] is True and "admin" in admin["roles"]
    assert admin["project_id"] == keystone.admin.project_id


def test_target_headers_change_only_what_actions_use(guarded: Any, keystone: Keystone) -> None:
    alice = keystone.make_project_user("target")
    token, _ = keystone.token(alice)
    other_catalog = [{"type": "compute", "endpoints": [{"publicURL": "http://127.0.0.1:7/c"}]}]
    import base64

    r = _get(guarded, token, **{
        "X-Target-Auth-Uri": "http://127.0.0.1:7/v3", "X-Target-Auth-Token": "theirs",
        "X-Target-Project-Id": keystone.admin.project_id, "X-Target-User-Id": "root",
        "X-Target-Region-Name": "Far",
        "X-Target-Service-Catalog": base64.b64encode(json.dumps(other_catalog).encode()).decode(),
        "X-Project-Id": keystone.admin.project_id, "X-Roles": "admin"})
    ctx = r.json
    assert ctx["project_id"] == alice.project_id  # never the target's, nor a spoofed header
    assert ctx["user_id"] == alice.user_id and "admin" not in ctx["roles"]
    assert ctx["is_admin"] is False
    assert ctx["is_target"] is True and ctx["auth_token"] == "theirs"
    assert ctx["auth_uri"] == "http://127.0.0.1:7/v3" and ctx["region_name"] == "Far"
    assert ctx["service_catalog"] == other_catalog


def test_revoked_and_expired_tokens_are_refused(guarded: Any, keystone: Keystone) -> None:
    import time

    alice = keystone.make_project_user("revoke")
    token, _ = keystone.token(alice)
    assert _get(guarded, token).status_code == 200
    keystone.revoke(token)
    assert _get(guarded, token).status_code == 401
    short, body = keystone.short_lived_token(alice, seconds=8)
    from datetime import datetime, timezone

    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    status = _get(guarded, short).status_code
    if datetime.now(timezone.utc) < expires:  # answered before it expired: it was good
        assert status == 200
    while datetime.now(timezone.utc) <= expires:  # let Keystone's own clock pass it
        time.sleep(0.2)
    assert _get(guarded, short).status_code == 401
    assert _get(guarded, None).status_code == 401
