"""The cluster steps of docs/operations.rst, run literally.

Every ``.. code-block:: bash`` with ``:class: cluster-step`` of the guide is run, in order,
in one bash (``set -euo pipefail``) with the variables of its step 0 pointed at this
test's own scratch directory, PostgreSQL database, RabbitMQ vhost, Redis namespace and API
port. The guide's install step is not run: this virtualenv is that install (its
console scripts come first on PATH). Then the cluster it started must be whole (two
engines, two executors and the notifier in /v2/services, the event engine running) and
run a workflow.
"""

from __future__ import annotations

import json
import os
import re
import signal
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

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.rst"


def cluster_steps(text: str) -> list[str]:
    """The bodies of the guide's ``cluster-step`` code blocks, dedented, in order."""
    blocks = re.findall(r"^\.\. code-block:: bash\n   :class: cluster-step\n\n((?:   .*\n|\n)+)", text, re.M)
    return ["\n".join(ln[3:] for ln in b.splitlines()).strip() + "\n" for b in blocks]


def test_guide_has_the_steps() -> None:
    steps = cluster_steps(GUIDE.read_text())
    assert len(steps) == 6
    assert "createdb" in steps[1] and "upgrade head" in steps[3] and "--server $server" in steps[4]


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                   capture_output=True, check=False)


def test_cluster_steps_run_literally(tmp_path: Path) -> None:
    require_service("postgresql")
    require_service("redis")
    script = "set -euo pipefail\n" + "".join(cluster_steps(GUIDE.read_text()))
    db = "mistral_guide_" + uuid.uuid4().hex[:10]
    port = free_port()
    with rabbit_vhost() as rabbit:
        env = dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            MISTRAL_ETC=str(tmp_path / "etc"), MISTRAL_LOG_DIR=str(tmp_path / "log"),
            MISTRAL_DB=db, MISTRAL_RABBIT=rabbit, MISTRAL_API_PORT=str(port),
            MISTRAL_REDIS=f"redis://127.0.0.1:6379?namespace={db}&membership_timeout=5",
        )
        proc = subprocess.Popen(["bash", "-c", script], env=env, cwd=tmp_path, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out, _ = proc.communicate(timeout=180)
            logs = "".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in (tmp_path / "log").glob("*.log"))
            assert proc.returncode == 0, out[-3000:] + logs
            services = json.loads(out.strip().splitlines()[-1])["services"]
            assert services is not None
            api = f"http://127.0.0.1:{port}/v2"

            def types() -> dict[str, int]:
                found: dict[str, int] = {}
                for s in requests.get(api + "/services", timeout=10).json()["services"]:
                    found[s["type"]] = found.get(s["type"], 0) + 1
                return found

            # (/v2/services does not list event-engine members yet: its log says it runs)
            want = {"api_group": 1, "engine_group": 2, "executor_group": 2, "notifier_group": 1}
            wait_until(lambda: "running: event-engine" in (tmp_path / "log" / "event-engine.log").read_text(),
                       90, "the event engine")
            try:
                wait_until(lambda: all(types().get(k, 0) >= n for k, n in want.items()), 90,
                           "every process of the guide's cluster")
            except AssertionError:
                raise AssertionError(f"{types()}\n{logs}") from None
            wf = "---\nversion: '2.0'\nguide:\n  tasks:\n    t:\n      action: std.echo output=ok\n"
            r = requests.post(api + "/workflows", data=wf, headers={"Content-Type": "text/plain"}, timeout=30)
            assert r.status_code == 201, r.text
            r = requests.post(api + "/executions", json={"workflow_name": "guide"}, timeout=30)
            assert r.status_code == 201, r.text
            ex_id = r.json()["id"]
            wait_until(lambda: requests.get(f"{api}/executions/{ex_id}", timeout=10).json()["state"]
                       in ("SUCCESS", "ERROR"), 60, "the execution to finish")
            assert requests.get(f"{api}/executions/{ex_id}", timeout=10).json()["state"] == "SUCCESS"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            # the services started by the steps are in the same session
            subprocess.run(["pkill", "-TERM", "-s", str(proc.pid)], check=False)
            wait_until(lambda: subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True)
                       .returncode != 0, 30, "the guide's services to stop")
            _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
