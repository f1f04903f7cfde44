"""The real python-mistralclient CLI against our server with ``[pecan] auth_enable = True``.

The CLI logs in to Keystone with a user's password, finds Mistral (``workflowv2``) in the
catalog and sends the token; our ``mistral-server`` validates it through keystonemiddleware.
Keystone is an OpenStack service that cannot run here: ``FakeKeystone`` (an
``http.server`` thread, see ``tests/functional/auth/fake_keystone.py``) stands in for it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.compat.harness import client_venv
from tests.functional.auth.fake_keystone import FakeKeystone
from tests.functional.auth.test_keystone_policy import ALPHA, BETA, TOKENS, mistral_server, wf_text

PASSWORDS = {"alice": ("pw-alice", ALPHA), "bob": ("pw-bob", BETA)}
PROJECTS = {"alice": "alpha", "bob": "beta"}


def _cli(venv: Path, keystone: str, user: str, workdir: Path, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("OS_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(OS_AUTH_URL=keystone + "/v3", OS_USERNAME=user,
               OS_PASSWORD=PASSWORDS[user][0], OS_PROJECT_NAME=PROJECTS[user],
               OS_USER_DOMAIN_NAME="Default", OS_PROJECT_DOMAIN_NAME="Default")
    r = subprocess.run([str(venv / "bin" / "mistral"), *args, "-f", "json"],
                       capture_output=True, text=True, cwd=str(workdir), env=env, timeout=120)
    assert r.returncode == 0, r.stderr or r.stdout
    return json.loads(r.stdout)


def test_real_cli_logs_in_to_keystone_and_sees_its_project_only(tmp_path: Path) -> None:
    venv = client_venv()
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("{}\n")
    with FakeKeystone(TOKENS, passwords=PASSWORDS) as keystone, \
            mistral_server(tmp_path, keystone.url, policy_file) as url:
        keystone.services["workflowv2"] = url + "/v2"
        definition = tmp_path / "wf.yaml"
        definition.write_text(wf_text("alice_only"))
        created = _cli(venv, keystone.url, "alice", tmp_path, "workflow-create", str(definition))
        assert [w["Name"] for w in created] == ["alice_only"]
        assert created[0]["Project ID"] == "p-alpha"
        assert "alice_only" in {w["Name"] for w in
                                _cli(venv, keystone.url, "alice", tmp_path, "workflow-list")}
        assert "alice_only" not in {w["Name"] for w in
                                    _cli(venv, keystone.url, "bob", tmp_path, "workflow-list")}
