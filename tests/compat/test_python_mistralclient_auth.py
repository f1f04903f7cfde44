"""The real python-mistralclient CLI against our server with ``[pecan] auth_enable = True``.

The CLI logs in to a real Keystone 30 (``tests/keystone.py``) with a user's password
(``OS_AUTH_URL``, ``OS_USERNAME``, ...), finds Mistral (``workflowv2``) in the catalog and
sends the token; our ``mistral-server`` validates it through keystonemiddleware.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.compat.harness import client_venv
from tests.functional.auth.test_keystone_policy import mistral_server, wf_text
from tests.keystone import Credentials, Keystone

#: the catalog region of this test's server (other tests register Mistral in the shared
#: Keystone too, each in a region of its own)
REGION = "real-client-auth"


def _cli(venv: Path, keystone: Keystone, who: Credentials, workdir: Path, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OS_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(who.os_env(keystone.url), OS_REGION_NAME=REGION)
    r = subprocess.run([str(venv / "bin" / "mistral"), *args, "-f", "json"],
                       capture_output=True, text=True, cwd=str(workdir), env=env, timeout=120)
    assert r.returncode == 0, r.stderr or r.stdout
    return json.loads(r.stdout)


def test_real_cli_logs_in_to_keystone_and_sees_its_project_only(
        tmp_path: Path, keystone: Keystone) -> None:
    venv = client_venv()
    alice, bob = keystone.make_project_user("cli-alpha"), keystone.make_project_user("cli-beta")
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("{}\n")
    with mistral_server(tmp_path, keystone, policy_file) as url:
        keystone.register_service("workflowv2", "mistral", {"public": url + "/v2"}, region=REGION)
        definition = tmp_path / "wf.yaml"
        definition.write_text(wf_text("alice_only"))
        created = _cli(venv, keystone, alice, tmp_path, "workflow-create", str(definition))
        assert [w["Name"] for w in created] == ["alice_only"]
        assert created[0]["Project ID"] == alice.project_id
        assert "alice_only" in {w["Name"] for w in
                                _cli(venv, keystone, alice, tmp_path, "workflow-list")}
        assert "alice_only" not in {w["Name"] for w in
                                    _cli(venv, keystone, bob, tmp_path, "workflow-list")}
