"""OpenStack actions with a real Keystone token and catalog.

Keystone is the real one (``tests/keystone.py``, the ``keystone`` fixture). Nova cannot
run here: its endpoint in Keystone's catalog is the HTTP stand-in of
``tests/openstack_standin.py`` (faked, and only that), which accepts only the token
Keystone issued to the test's user.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry
from mistral.context import RequestContext
from tests.openstack_standin import StandIn

# one worker: the module's user, region and stand-in are made once
pytestmark = pytest.mark.xdist_group("actions_keystone")


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


@pytest.fixture(scope="module")
def cloud(keystone) -> Iterator[tuple]:
    nova = StandIn().start()
    # a region of its own: other tests may put other compute endpoints in the catalog
    region = f"Region-{secrets.token_hex(3)}"
    keystone.register_service("compute", f"nova-standin-{region}",
                              {"public": f"{nova.url}/compute/v2.1"}, region=region)
    creds = keystone.make_project_user("os-actions")
    token, body = _login(keystone, creds)
    nova.tokens.add(token)
    yield nova, region, creds, token, body
    nova.stop()


def _login(keystone, creds) -> tuple[str, dict]:
    """A token for ``creds``; a second try when Keystone (on SQLite, shared by the test
    workers) answers a login with a 500 under concurrent load."""
    try:
        return keystone.token(creds)
    except RuntimeError:
        return keystone.token(creds)


def test_the_catalog_comes_from_keystone(registry, keystone, cloud) -> None:
    nova, region, creds, token, _body = cloud
    # as keystonemiddleware leaves it when no catalog came along: token, project, auth URI
    ctx = ActionContext(request=RequestContext(
        project_id=creds.project_id, auth_token=token, auth_uri=keystone.url, region_name=region))
    created = registry.build("nova.servers_create", {"name": "vm", "image": "i", "flavor": "f"}).run(ctx)
    listed = registry.build("nova.servers_list", {}).run(ctx)
    assert [s["id"] for s in listed] == [created["id"]]
    assert {s.token for s in nova.seen} == {token}


def test_the_catalog_of_the_token_and_action_region(registry, keystone, cloud) -> None:
    nova, region, creds, token, body = cloud
    ctx = ActionContext(request=RequestContext(
        project_id=creds.project_id, auth_token=token, auth_uri=keystone.url,
        service_catalog=body["catalog"]))
    assert isinstance(registry.build("nova.servers_list", {"action_region": region}).run(ctx), list)
    with pytest.raises(exc.ActionError, match="^nova.servers_get: nova answered 404"):
        registry.build("nova.servers_get", {"server": "nope", "action_region": region}).run(ctx)


def test_a_token_keystone_refuses(registry, keystone, cloud) -> None:
    _nova, region, creds, _token, _body = cloud
    token, _ = _login(keystone, creds)
    keystone.revoke(token)
    ctx = ActionContext(request=RequestContext(
        project_id=creds.project_id, auth_token=token, auth_uri=keystone.url, region_name=region))
    with pytest.raises(exc.ActionError, match="^nova.servers_list: Keystone refused the execution's token"):
        registry.build("nova.servers_list", {}).run(ctx)
