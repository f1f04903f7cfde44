"""Run mistral-server processes against the real RabbitMQ, PostgreSQL and Redis.

``Cluster`` owns one run: its own RabbitMQ vhost, PostgreSQL database (schema by
alembic), Redis namespace, config file and log files. ``cluster.start("api,engine")``
starts ``mistral-server --server api,engine --config-file base --config-file <own>`` as a
separate OS process; every process is killed at teardown, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.conftest import require_service
from tests.integration.helpers import postgres_database, rabbit_vhost

SERVER = str(Path(sys.executable).with_name("mistral-server"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(cond: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    workdir: Path
    transport_url: str
    db_url: str
    api_port: int = field(default_factory=free_port)
    procs: list[Proc] = field(default_factory=list)

    @property
    def base_conf(self) -> Path:
        return self.workdir / "mistral.conf"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def write_config(self) -> None:
        redis_ns = "mistral-it-" + uuid.uuid4().hex[:10]
        self.base_conf.write_text(f"""
[DEFAULT]
transport_url = {self.transport_url}
state_path = {self.workdir / 'state'}
rpc_response_timeout = 20
[database]
connection = {self.db_url}
[api]
host = 127.0.0.1
port = {self.api_port}
[engine]
reconcile_interval = 1
execution_integrity_check_delay = 5
[executor]
type = remote
max_workers = 8
[scheduler]
fixed_delay = 0.2
captured_job_timeout = 10
[action_heartbeat]
check_interval = 1
max_missed_heartbeats = 5
first_heartbeat_timeout = 10
[coordination]
backend_url = redis://127.0.0.1:6379?namespace={redis_ns}&membership_timeout=5
heartbeat_interval = 1
""")

    def start(self, servers: str, name: str, **groups: dict[str, Any]) -> Proc:
        """Start ``mistral-server --server servers``; ``groups`` are extra config sections."""
        own = self.workdir / f"{name}.conf"
        own.write_text("".join(
            f"[{g}]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()) for g, opts in groups.items()
        ))
        log = self.workdir / f"{name}.log"
        with open(log, "ab") as out:
            popen = subprocess.Popen(
                [SERVER, "--server", servers, "--config-file", str(self.base_conf),
                 "--config-file", str(own)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def kill9(self, proc: Proc) -> None:
        proc.popen.send_signal(signal.SIGKILL)
        proc.popen.wait(10)

    def stop_all(self) -> None:
        for p in self.procs:
            if p.alive():
                p.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in self.procs:
            try:
                p.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.popen.kill()
                p.popen.wait(5)

    # -- the REST API ------------------------------------------------------------------

    def http(self, method: str, path: str, **kw: Any) -> requests.Response:
        return requests.request(method, self.api + path, timeout=30, **kw)

    def wait_api(self, timeout: float = 180.0) -> None:
        def up() -> bool:
            try:
                return self.http("GET", "/v2/services").status_code == 200
            except requests.RequestException:
                return False

        wait_until(up, timeout, "the API to answer")

    def services(self) -> list[dict]:
        return self.http("GET", "/v2/services").json()["services"]

    def wait_members(self, group: str, count: int, timeout: float = 60.0) -> None:
        wait_until(lambda: len([s for s in self.services() if s["type"] == group]) >= count,
                   timeout, f"{count} live member(s) of {group}")

    def create_workflows(self, yaml_text: str) -> None:
        r = self.http("POST", "/v2/workflows", data=yaml_text, headers={"Content-Type": "text/plain"})
        assert r.status_code == 201, r.text

    def start_execution(self, wf_name: str, wf_input: dict | None = None) -> str:
        import json

        body = {"workflow_name": wf_name, "input": json.dumps(wf_input or {})}
        r = self.http("POST", "/v2/executions", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def execution(self, ex_id: str) -> dict:
        r = self.http("GET", f"/v2/executions/{ex_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def wait_finished(self, ex_ids: list[str], timeout: float = 90.0) -> dict[str, str]:
        def states() -> dict[str, str] | None:
            found = {i: self.execution(i)["state"] for i in ex_ids}
            return found if all(s in ("SUCCESS", "ERROR", "CANCELLED") for s in found.values()) else None

        try:
            return wait_until(states, timeout, "every execution to finish")
        except AssertionError:
            raise AssertionError("executions did not finish:\n" + self.describe(ex_ids)) from None

    def assert_all_succeeded(self, states: dict[str, str]) -> None:
        """Every execution SUCCESS, or a failure that shows what the others did."""
        assert set(states.values()) == {"SUCCESS"}, (
            "executions that did not succeed:\n" + self.describe(list(states), skip=("SUCCESS",)))

    def describe(self, ex_ids: list[str], skip: tuple[str, ...] = ("SUCCESS", "ERROR", "CANCELLED")) -> str:
        """The executions not in ``skip`` (by default: the unfinished ones) with their tasks
        and action executions (for failures)."""
        lines = []
        for ex_id in ex_ids:
            ex = self.execution(ex_id)
            if ex["state"] in skip:
                continue
            lines.append(f"{ex_id} {ex['state']} {ex.get('state_info')}")
            for t in self.http("GET", f"/v2/executions/{ex_id}/tasks").json()["tasks"]:
                acts = self.http("GET", f"/v2/tasks/{t['id']}/action_executions").json()
                lines.append(f"  task {t['name']} {t['state']} {t.get('state_info')} "
                             f"{[(a['id'], a['state']) for a in acts['action_executions']]}")
        return "\n".join(lines)

    def action_executions(self, ex_id: str) -> list[dict]:
        tasks = self.http("GET", f"/v2/executions/{ex_id}/tasks").json()["tasks"]
        out: list[dict] = []
        for t in tasks:
            out += self.http("GET", f"/v2/tasks/{t['id']}/action_executions").json()["action_executions"]
        return out


def _upgrade_schema(db_url: str) -> None:
    from mistral.db import migration
    from mistral.db.api import Database

    db = Database(db_url)
    try:
        migration.upgrade(db)
    finally:
        db.dispose()


@contextlib.contextmanager
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require_service("redis")
    with rabbit_vhost() as transport_url, postgres_database() as db_url:
        _upgrade_schema(db_url)
        c = Cluster(workdir=tmp_path, transport_url=transport_url, db_url=db_url)
        c.write_config()
        try:
            yield c
        finally:
            c.stop_all()
            for p in c.procs:
                if p.popen.returncode not in (0, -signal.SIGKILL) or os.environ.get("MISTRAL_IT_LOGS"):
                    sys.stderr.write(f"--- {p.name} exited {p.popen.returncode}; log tail:\n")
                    sys.stderr.write(p.log_text()[-3000:] + "\n")
