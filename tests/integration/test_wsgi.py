"""``mistral.wsgi:application`` served by gunicorn and by uWSGI, in front of a real cluster.

The engine and executor run as ``mistral-server --server engine,executor`` over the real
RabbitMQ, PostgreSQL and Redis (``tests.integration.harness``); the API runs inside the
WSGI server, configured only through ``MISTRAL_CONFIG_FILE`` (the same file the
mistral-server process reads). A workflow created through the WSGI-served API runs to
SUCCESS, so the app reached the engine over RPC and the database.

gunicorn comes from the test requirements. uWSGI compiles from source (PyPI has no
wheel), so it is built once per machine into a virtualenv of its own
(``~/.cache/mistral-tests/uwsgi``) and pointed at this interpreter's environment with
``--home``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.harness import Cluster, Proc, cluster, wait_until

pytestmark = pytest.mark.xdist_group("integration")

UWSGI_VENV = Path(os.environ.get("MISTRAL_TEST_CACHE", Path.home() / ".cache" / "mistral-tests")) / "uwsgi"
UWSGI_SPEC = "uWSGI>=2.0.22,<2.1"

WORKFLOW = """---
version: '2.0'
wsgi_hello:
  input: [who]
  tasks:
    greet:
      action: std.echo output="hello <% $.who %>"
      publish:
        greeting: <% task().result %>
  output:
    greeting: <% $.greeting %>
"""


def uwsgi_binary() -> Path:
    """uWSGI built once in its own virtualenv (a compile: about a minute the first time)."""
    exe = UWSGI_VENV / "bin" / "uwsgi"
    if exe.exists():
        return exe
    UWSGI_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(UWSGI_VENV)], check=True)
    build = subprocess.run([str(UWSGI_VENV / "bin" / "pip"), "install", "-q", UWSGI_SPEC],
                           capture_output=True, text=True, timeout=900)
    if build.returncode != 0 or not exe.exists():
        pytest.fail(f"uWSGI did not build here:\n{build.stdout[-2000:]}{build.stderr[-2000:]}")
    return exe


@pytest.fixture(scope="module")
def wsgi_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(tmp_path_factory.mktemp("wsgi")) as c:
        c.start("engine,executor", "engine")
        yield c


def _serve(c: Cluster, name: str, argv: list[str], **config_env: str) -> Proc:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MISTRAL_CONFIG_")}
    env.update(config_env)
    log = c.workdir / f"{name}.log"
    with open(log, "ab") as out:
        popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                 cwd=c.workdir, start_new_session=True)
    proc = Proc(name, popen, log)
    c.procs.append(proc)
    return proc


def _stop(proc: Proc) -> None:
    import signal

    proc.popen.send_signal(signal.SIGTERM)
    try:
        proc.popen.wait(20)
    except subprocess.TimeoutExpired:
        proc.popen.kill()
        proc.popen.wait(5)


def _run_workflow_through(c: Cluster, proc: Proc, who: str) -> None:
    try:
        c.wait_api(timeout=90)
    except AssertionError:
        raise AssertionError(f"{proc.name} never answered:\n{proc.log_text()[-3000:]}") from None
    r = c.http("GET", "/v2/workflows/wsgi_hello")
    if r.status_code == 404:
        c.create_workflows(WORKFLOW)
    ex_id = c.start_execution("wsgi_hello", {"who": who})
    assert c.wait_finished([ex_id]) == {ex_id: "SUCCESS"}
    import json

    assert json.loads(c.execution(ex_id)["output"]) == {"greeting": f"hello {who}"}
    # the WSGI app is the full API stack: request ids and the JSON fault body
    r = c.http("GET", "/v2/nope", headers={"X-Openstack-Request-Id": "req-wsgi-test"})
    assert r.status_code == 404 and "faultstring" in r.json()
    assert r.headers["X-Openstack-Request-Id"] == "req-wsgi-test"
    # the API process joined coordination as Mistral's api_group
    wait_until(lambda: any(s["type"] == "api_group" for s in c.services()), 30, "an api_group member")


def test_gunicorn_serves_mistral_wsgi_application(wsgi_cluster: Cluster) -> None:
    c = wsgi_cluster
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = _serve(c, "gunicorn", [gunicorn, "--workers", "1", "--threads", "4",
                                  "--bind", f"127.0.0.1:{c.api_port}", "mistral.wsgi:application"],
                  MISTRAL_CONFIG_FILE=str(c.base_conf))
    try:
        _run_workflow_through(c, proc, "gunicorn")
    finally:
        _stop(proc)


def test_uwsgi_serves_mistral_wsgi_application(wsgi_cluster: Cluster) -> None:
    """uWSGI, configured through MISTRAL_CONFIG_DIR (a directory of *.conf files)."""
    c = wsgi_cluster
    conf_dir = c.workdir / "mistral.conf.d"
    conf_dir.mkdir(exist_ok=True)
    (conf_dir / "10-cluster.conf").write_text(c.base_conf.read_text())
    proc = _serve(c, "uwsgi", [
        str(uwsgi_binary()), "--http-socket", f"127.0.0.1:{c.api_port}",
        "--module", "mistral.wsgi:application", "--home", sys.prefix,
        "--master", "--processes", "1", "--threads", "4", "--lazy-apps",
        "--need-app", "--die-on-term", "--disable-logging",
    ], MISTRAL_CONFIG_DIR=str(conf_dir))
    try:
        _run_workflow_through(c, proc, "uwsgi")
    finally:
        _stop(proc)
