"""devstack/plugin.sh run on DevStack's own function files against the real services.

``run-plugin.sh`` sources DevStack's ``functions-common``, ``inc/ini-config``,
``lib/database`` (PostgreSQL backend) and ``lib/rpc_backend`` (vendored unmodified in
``vendor/``, see its README) and runs the plugin's ``stack`` phases (install,
post-config, extra), then ``unstack`` and ``clean``, as stack.sh does. Stand-ins (and
only these): ``systemctl`` (no systemd: it runs the unit file DevStack wrote), ``sudo``
(no root needed), ``openstack`` (no Keystone: the calls are recorded and checked), and
inc/python's installers (the project is already installed in this virtualenv).

What is checked: the mistral.conf written with iniset is one our services start with —
the database DevStack recreated gets its schema from ``mistral-db-manage``, each of api,
engine, executor, event-engine and notifier runs from its unit file and joins the
cluster, the API answers (401 with Keystone auth on, as configured), the Keystone
service user, service and endpoints were asked for, ``populate`` installed the
system workflows; unstack stops
every process and clean removes the configuration.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import require_service
from tests.integration.harness import free_port, wait_until
from tests.integration.helpers import rabbit_vhost

pytestmark = pytest.mark.xdist_group("integration")

HERE = Path(__file__).resolve().parent
SERVICES = ("api", "engine", "executor", "event-engine", "notifier")


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["bash", str(HERE / "run-plugin.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"run-plugin.sh {args} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def _psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def _alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def test_devstack_plugin_stacks_a_working_mistral(tmp_path: Path) -> None:
    require_service("postgresql")
    require_service("redis")
    db_name = "mistral_devstack_" + uuid.uuid4().hex[:10]
    port = free_port()
    state = tmp_path / "standin"
    state.mkdir()
    conf_dir = tmp_path / "etc" / "mistral"
    with rabbit_vhost() as transport_url:
        vhost = transport_url.rsplit("/", 1)[1]
        env = dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            STANDIN_STATE=str(state),
            DEST=str(tmp_path / "opt"), DATA_DIR=str(tmp_path / "data"),
            SERVICE_HOST="127.0.0.1", SERVICE_PASSWORD="secretservice",
            RABBIT_HOST="127.0.0.1", RABBIT_USERID="guest", RABBIT_PASSWORD="guest",
            DATABASE_HOST="127.0.0.1", DATABASE_USER="postgres", DATABASE_PASSWORD="unused",
            MISTRAL_CONF_DIR=str(conf_dir), MISTRAL_DATABASE_NAME=db_name,
            MISTRAL_RPC_VHOST=vhost, MISTRAL_SERVICE_PORT=str(port),
            MISTRAL_COORDINATION_URL=f"redis://127.0.0.1:6379?namespace={db_name}",
        )
        try:
            _run(env, "stack")
            conf = configparser.ConfigParser(interpolation=None)
            conf.read(conf_dir / "mistral.conf")
            assert conf["database"]["connection"].endswith(f"/{db_name}?client_encoding=utf8")
            assert conf["DEFAULT"]["transport_url"] == f"rabbit://guest:guest@127.0.0.1:5672/{vhost}"
            assert conf["pecan"]["auth_enable"] == "True"
            assert conf["keystone_authtoken"]["username"] == "mistral"

            # the database DevStack recreated has our schema
            assert _psql("SELECT count(*) FROM workflow_definitions_v2", db_name).isdigit()

            units = {s: state / f"devstack@mistral-{s}.service.pid" for s in SERVICES}
            for name, pid in units.items():
                assert pid.exists(), f"devstack@mistral-{name} was not started"
            api = f"http://127.0.0.1:{port}"

            def answering() -> bool:
                try:
                    return requests.get(api + "/", timeout=5).status_code == 200
                except requests.RequestException:
                    return False

            try:
                wait_until(answering, 90, "the API started by devstack")
            except AssertionError:
                log = state / "devstack@mistral-api.service.log"
                raise AssertionError(log.read_text()[-3000:] if log.exists() else "no API log") from None
            # Keystone auth is on as configured: no token, no entry
            assert requests.get(api + "/v2/workflows", timeout=10).status_code == 401

            def all_running() -> bool:
                return all(f"running: {s}" in (state / f"devstack@mistral-{s}.service.log").read_text()
                           for s in SERVICES)

            try:
                wait_until(all_running, 90, "every mistral service to start")
            except AssertionError:
                logs = {s: (state / f"devstack@mistral-{s}.service.log").read_text()[-1500:] for s in SERVICES}
                raise AssertionError(str(logs)) from None
            assert all(_alive(p) for p in units.values())

            calls = (state / "openstack.log").read_text()
            assert "user create mistral --password secretservice --domain=Default" in calls
            assert "service create workflowv2 --name mistral" in calls
            for interface in ("public", "admin", "internal"):
                assert f"endpoint create workflowv2 {interface} http://127.0.0.1:{port}/v2" in calls
            # populate installed the system workflows (mistral/resources/workflows)
            assert _psql("SELECT scope FROM workflow_definitions_v2 WHERE name = 'create_instance'",
                         db_name) == "public"

            _run(env, "unstack")
            wait_until(lambda: not any(_alive(p) or p.exists() for p in units.values()), 30,
                       "every mistral service to stop")
            _run(env, "clean")
            assert not conf_dir.exists()
        finally:
            for pid in state.glob("*.pid"):
                try:
                    os.killpg(int(pid.read_text()), 9)
                except (OSError, ValueError):
                    pass
            _psql(f'DROP DATABASE IF EXISTS "{db_name}"')
