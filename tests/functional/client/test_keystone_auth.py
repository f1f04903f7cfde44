"""Our CLI and library log in to a real Keystone 30 (``tests/keystone.py``) through
keystoneauth1, as python-mistralclient takes credentials: ``OS_*`` variables, a token,
or a ``clouds.yaml`` cloud (``OS_CLOUD``), and find Mistral in the catalog. Our
``mistral-server`` runs with ``[pecan] auth_enable`` and validates the tokens. Sharing a
workflow with another project (``member-*``) needs exactly that."""

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

from mistralclient.api.client import client
from tests.compat.harness import free_port
from tests.functional.client.runner import Cli

pytestmark = pytest.mark.xdist_group("client_keystone")

CONFIG = """[DEFAULT]
state_path = {state}

[api]
host = 127.0.0.1
port = {port}

[executor]
type = local

[pecan]
auth_enable = True

{authtoken}
"""

FLOW = """---
version: '2.0'
shared_flow:
  tasks:
    t:
      action: std.noop
"""


@contextlib.contextmanager
def authenticated_server(workdir: Path, keystone: Any) -> Iterator[str]:
    port = free_port()
    conf = workdir / "mistral.conf"
    conf.write_text(CONFIG.format(state=workdir / "state", port=port, authtoken=keystone.authtoken_section()))
    with open(workdir / "server.log", "w") as log:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "mistral-server"), "--server", "all",
                                 "--config-file", str(conf)], cwd=str(workdir), stdout=log,
                                stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    try:
        deadline = time.monotonic() + 120
        while True:  # readiness: the public version document answers
            assert proc.poll() is None, (workdir / "server.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "mistral-server did not start"
                time.sleep(0.2)
        yield url + "/v2"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


#: the catalog region of this module's server: other tests register Mistral endpoints in
#: the shared Keystone too, each in a region of its own, so clients name theirs
REGION = "client-keystone"


@pytest.fixture(scope="session")  # not module: xdist may interleave other modules' tests
def cloud(keystone: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    work = tmp_path_factory.mktemp("client-keystone")
    with authenticated_server(work, keystone) as url:
        keystone.register_service("workflowv2", "mistral", {"public": url}, region=REGION)
        yield keystone, url


def as_user(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_AUTH_TOKEN",
                 "OS_CLOUD", "OS_MISTRAL_URL", "OS_PROJECT_ID", "OS_TENANT_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OS_REGION_NAME", REGION)


class KeystoneCli(Cli):
    """The CLI with no --os-mistral-url: the endpoint comes from the catalog."""

    def run(self, *args: str, ok: bool = True, url: str | None = None) -> Any:
        return super().run(*args, ok=ok, url="")


def test_password_token_and_clouds_yaml_logins_share_a_workflow(
        cloud: tuple[Any, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keystone, url = cloud
    alice, bob = keystone.make_project_user("alice"), keystone.make_project_user("bob")
    cli = KeystoneCli(url, tmp_path)

    as_user(monkeypatch, alice.os_env(keystone.url))
    (wf,) = cli.json("workflow-create", cli.file("wf.yaml", FLOW))
    assert wf["Project ID"] == alice.project_id
    # With a token and the Mistral URL the client asks Keystone nothing (the server checks
    # the token once and caches it): the rest of the steps go that way, as they are slow
    # through Keystone.
    alice_token, _ = keystone.token(alice)
    as_user(monkeypatch, {"OS_AUTH_TOKEN": alice_token, "OS_MISTRAL_URL": url})
    member = cli.json("member-create", wf["ID"], "workflow", bob.project_id)
    assert (member["Member ID"], member["Status"]) == (bob.project_id, "pending")
    assert [m["Member ID"] for m in cli.json("member-list", wf["ID"], "workflow")] == [bob.project_id]

    bob_token, _ = keystone.token(bob)
    as_user(monkeypatch, {"OS_AUTH_TOKEN": bob_token, "OS_MISTRAL_URL": url})
    assert "shared_flow" not in [w["Name"] for w in cli.json("workflow-list")]

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  bobs:\n    auth:\n      auth_url: %s\n      username: %s\n"
                      "      password: %s\n      project_name: %s\n      user_domain_name: Default\n"
                      "      project_domain_name: Default\n    region_name: %s\n" % (
                          keystone.url, bob.username, bob.password, bob.project_name, REGION))
    as_user(monkeypatch, {"OS_CLOUD": "bobs", "OS_CLIENT_CONFIG_FILE": str(clouds)})
    accepted = cli.json("member-update", wf["ID"], "workflow")  # -m defaults to the caller's project
    assert accepted["Status"] == "accepted"

    as_user(monkeypatch, {"OS_AUTH_TOKEN": bob_token, "OS_MISTRAL_URL": url})
    assert "shared_flow" in [w["Name"] for w in cli.json("workflow-list")]
    assert cli.json("member-get", wf["ID"], "workflow", "-m", bob.project_id)["Status"] == "accepted"

    as_user(monkeypatch, {"OS_AUTH_TOKEN": alice_token, "OS_MISTRAL_URL": url})
    cli.run("member-delete", wf["ID"], "workflow", bob.project_id)
    lib = client(auth_url=keystone.url, username=bob.username, api_key=bob.password,
                 project_name=bob.project_name, user_domain_name="Default", project_domain_name="Default",
                 region_name=REGION)
    assert "shared_flow" not in [w.name for w in lib.workflows.list()]


def test_wrong_credentials_are_one_line(cloud: tuple[Any, str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    keystone, _ = cloud
    as_user(monkeypatch, {"OS_AUTH_URL": keystone.url, "OS_USERNAME": "nobody-here", "OS_PASSWORD": "wrong",
                          "OS_PROJECT_NAME": "nowhere"})
    r = KeystoneCli("", tmp_path).run("workflow-list", ok=False)
    assert r.code != 0 and r.out == ""
    assert r.err.strip().splitlines() == [
        "ERROR: Keystone at %s refused the credentials (wrong user, password, project or token)"
        % keystone.url]
