"""mistral-server as a user runs it: command-line errors, the embedded one-process setup."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import requests

from tests.integration.harness import SERVER, free_port, wait_until

WF = """---
version: '2.0'
hello:
  input:
    - name
  output:
    greeting: <% $.greeting %>
  tasks:
    greet:
      action: std.echo output="Hello, <% $.name %>"
      publish:
        greeting: <% task().result %>
      on-success: nap
    nap:
      action: std.sleep seconds=0.2
"""


def test_unknown_server_name_is_one_line_and_exit_2() -> None:
    r = subprocess.run([SERVER, "--server", "api,bogus"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "mistral-server: error: unknown server name(s): bogus; valid names: "
        "all, api, engine, executor, event-engine, notifier, periodic"
    ]


def test_missing_config_file_is_one_line(tmp_path: Path) -> None:
    r = subprocess.run([SERVER, "--config-file", str(tmp_path / "nope.conf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "nope.conf" in r.stderr and "Traceback" not in r.stderr


def test_server_database_without_schema_is_a_one_line_error(tmp_path: Path) -> None:
    from tests.integration.helpers import postgres_database

    with postgres_database() as url:
        conf = tmp_path / "m.conf"
        conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n[database]\nconnection = {url}\n"
                        f"[api]\nport = {free_port()}\nhost = 127.0.0.1\n")
        r = subprocess.run([SERVER, "--server", "engine", "--config-file", str(conf)],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "mistral-server: error: The database has no schema version; run "
        "'mistral-db-manage --config-file <file> upgrade head' first"
    )


def test_all_in_one_process_with_embedded_defaults(tmp_path: Path) -> None:
    port = free_port()
    conf = tmp_path / "m.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path / 'state'}\n[api]\nhost = 127.0.0.1\nport = {port}\n")
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([SERVER, "--config-file", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                return requests.get(api + "/v2/services", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(up, 180, "the API")  # a start on a busy machine
        assert (tmp_path / "state" / "mistral.db").exists()
        types = {s["type"] for s in requests.get(api + "/v2/services", timeout=5).json()["services"]}
        assert {"api_group", "engine_group", "executor_group"} <= types
        actions = {a["name"]: a for a in requests.get(api + "/v2/actions", timeout=10).json()["actions"]}
        assert actions["std.echo"]["input"] == "output, delay=0"
        r = requests.post(api + "/v2/workflows", data=WF, headers={"Content-Type": "text/plain"}, timeout=10)
        assert r.status_code == 201, r.text
        r = requests.post(api + "/v2/executions", timeout=10,
                          json={"workflow_name": "hello", "input": '{"name": "you"}'})
        assert r.status_code == 201, r.text
        ex_id = r.json()["id"]

        def finished() -> dict | None:
            ex = requests.get(f"{api}/v2/executions/{ex_id}", timeout=5).json()
            return ex if ex["state"] in ("SUCCESS", "ERROR") else None

        ex = wait_until(finished, 60, "the execution")
        assert ex["state"] == "SUCCESS", ex
        assert '"Hello, you"' in ex["output"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        log.close()
    assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_unreachable_database_is_a_one_line_error(tmp_path: Path) -> None:
    conf = tmp_path / "m.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n[database]\n"
                    f"connection = postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/x\n")
    r = subprocess.run([SERVER, "--server", "engine", "--config-file", str(conf)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("mistral-server: error: Database error:")
    assert "Traceback" not in r.stderr


def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    conf = tmp_path / "m.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n")
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([SERVER, "--server", "executor", "--config-file", str(conf)],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "mistral-server running: executor" in log_path.read_text(), 180,
                   "the executor to start")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log_path.read_text()
    assert "Signal SIGINT received" in text and "mistral-server stopped" in text
    assert "Traceback" not in text


def test_separate_installations_do_not_share_the_default_coordination_backend(tmp_path: Path) -> None:
    from mistral.services.coordination import default_backend_url

    one = default_backend_url(str(tmp_path), "postgresql://h/one")
    assert one == default_backend_url(str(tmp_path), "postgresql://h/one")
    assert one != default_backend_url(str(tmp_path), "postgresql://h/two")
    assert one.startswith("file://" + str(tmp_path / "coordination") + "/")
