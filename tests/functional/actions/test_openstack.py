"""OpenStack actions generated from python-novaclient / python-cinderclient.

Nova and Cinder themselves cannot run here: ``tests/openstack_standin.py`` is a small
HTTP stand-in for their APIs (faked, and only that). Everything else is real: the
client libraries, keystoneauth1's session, the catalog lookup and our executor. The
catalog is given as keystonemiddleware hands it over (``X-Service-Catalog``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry
from mistral.actions.base import ActionSettings, OpenStackSettings
from mistral.context import RequestContext
from mistral.engine.interface import RunActionRequest
from mistral.executors import DefaultExecutor
from tests.openstack_standin import StandIn

TOKEN = "token-of-the-user"
PROJECT = "0123456789abcdef0123456789abcdef"


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture(scope="module")
def cloud() -> Iterator[StandIn]:
    standin = StandIn(tokens={TOKEN}).start()
    yield standin
    standin.stop()


def _catalog(url: str) -> list[dict]:
    far = _closed_url()
    return [
        {"type": "compute", "name": "nova", "endpoints": [
            {"region": "RegionOne", "publicURL": f"{url}/compute/v2.1", "internalURL": f"{url}/compute/v2.1"},
            {"region": "RegionTwo", "publicURL": f"{far}/compute/v2.1"}]},
        {"type": "volumev3", "name": "cinderv3", "endpoints": [
            {"region": "RegionOne", "publicURL": f"{url}/volume/v3/%(project_id)s"}]},
    ]


def _ctx(cloud: StandIn, token: str | None = TOKEN, region: str | None = "RegionOne") -> ActionContext:
    return ActionContext(request=RequestContext(
        project_id=PROJECT, auth_token=token, region_name=region, service_catalog=_catalog(cloud.url)))


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


def test_listed_as_mistral_names_them(registry) -> None:
    names = registry.names()
    for name in ("nova.servers_list", "nova.servers_create", "nova.servers_delete", "nova.flavors_list",
                 "cinder.volumes_create", "cinder.backups_create", "cinder.volumes_list"):
        assert name in names
    assert registry.describe("nova.servers_get").input == 'server, action_region=""'
    create = registry.describe("nova.servers_create")
    assert create.input.startswith("name, image, flavor, meta=null, files=null")
    assert create.description.startswith("Create (boot) a new server.")
    assert registry.describe("cinder.backups_create").input.startswith("volume_id, container=null")
    assert not any(n.startswith("nova.client_") for n in names)


def test_nova_calls_run_as_the_user(registry, cloud) -> None:
    ctx = _ctx(cloud)
    created = registry.build("nova.servers_create", {"name": "vm1", "image": "img-1", "flavor": "m1"}).run(ctx)
    sid = created["id"]
    assert cloud.servers[sid]["name"] == "vm1"
    listed = registry.build("nova.servers_list", {}).run(ctx)
    assert [s["name"] for s in listed] == ["vm1"]
    got = registry.build("nova.servers_get", {"server": sid}).run(ctx)
    assert got["image"] == {"id": "img-1"}
    assert {s.token for s in cloud.seen} == {TOKEN}
    assert registry.build("nova.servers_delete", {"server": sid}).run(ctx) in (None, [])
    assert sid not in cloud.servers


def test_cinder_fills_the_project_into_its_endpoint(registry, cloud) -> None:
    vol = registry.build("cinder.volumes_create", {"size": 1, "name": "data"}).run(_ctx(cloud))
    assert (vol["size"], vol["name"], vol["project"]) == (1, "data", PROJECT)
    backup = registry.build("cinder.backups_create", {"volume_id": vol["id"], "name": "b"}).run(_ctx(cloud))
    assert backup["volume_id"] == vol["id"]
    assert cloud.seen[-1].path == f"/volume/v3/{PROJECT}/backups"


def test_errors_name_the_action_and_the_cause(registry, cloud) -> None:
    with pytest.raises(exc.ActionError, match="^nova.servers_get: nova answered 404"):
        registry.build("nova.servers_get", {"server": "nope"}).run(_ctx(cloud))
    with pytest.raises(exc.ActionError, match="^nova.servers_create: nova answered 500"):
        registry.build("nova.servers_create", {"name": "boom", "image": "i", "flavor": "f"}).run(_ctx(cloud))
    with pytest.raises(exc.ActionError, match="^nova.servers_list: nova answered 401"):
        registry.build("nova.servers_list", {}).run(_ctx(cloud, token="stolen"))
    with pytest.raises(exc.ActionError, match="^nova.servers_list: cannot reach nova"):
        registry.build("nova.servers_list", {"action_region": "RegionTwo"}).run(_ctx(cloud))
    with pytest.raises(exc.ActionError, match="^nova.servers_list: no public endpoint of service type "
                                              "compute in region RegionNine"):
        registry.build("nova.servers_list", {"action_region": "RegionNine"}).run(_ctx(cloud))
    with pytest.raises(exc.ActionError, match="^nova.servers_list: the execution has no auth token"):
        registry.build("nova.servers_list", {}).run(_ctx(cloud, token=None))
    with pytest.raises(exc.InputError, match="nova.servers_get.*missing parameters: server"):
        registry.build("nova.servers_get", {})
    with pytest.raises(exc.InputError, match="unexpected parameters: sever"):
        registry.build("nova.servers_get", {"sever": "x"})


def test_endpoint_type_and_default_region_settings(cloud) -> None:
    internal = ActionRegistry.load(settings=ActionSettings(
        openstack=OpenStackSettings(endpoint_type="internal", default_region="RegionOne")))
    ctx = _ctx(cloud, region=None)
    assert isinstance(internal.build("nova.servers_list", {}).run(ctx), list)
    admin = ActionRegistry.load(settings=ActionSettings(openstack=OpenStackSettings(endpoint_type="admin")))
    with pytest.raises(exc.ActionError, match="no admin endpoint of service type compute"):
        admin.build("nova.servers_list", {}).run(ctx)


def test_through_the_executor(registry, cloud) -> None:
    """The executor hands the action the request context it got (the user's token)."""
    executor = DefaultExecutor(registry, engine=None, max_workers=2, heartbeat_interval=0)
    executor.start()
    try:
        ctx = _ctx(cloud).request
        ok = executor.run_action(ctx, RunActionRequest(
            action_ex_id="a1", action_name="nova.servers_list", action_input={}, is_sync=True, timeout=60))
        assert ok.error is None and isinstance(ok.data, list)
        bad = executor.run_action(ctx, RunActionRequest(
            action_ex_id="a2", action_name="nova.servers_get", action_input={"server": "nope"},
            is_sync=True, timeout=60))
        # worded as Mistral 23's executor words an action that raised
        assert bad.error.startswith("The action raised an exception [action=")
        assert "msg='nova.servers_get: nova answered 404" in bad.error
        unknown = executor.run_action(ctx, RunActionRequest(
            action_ex_id="a3", action_name="nova.no_such_thing", action_input={}, is_sync=True))
        assert "nova.no_such_thing" in unknown.error
    finally:
        executor.stop(grace=1)
