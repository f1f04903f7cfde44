"""The real python-mistralclient in its own virtualenv, and our server as a real process.

The client venv lives in ``/tmp/mistral-compat-client-venv`` (kept between runs, built
under a file lock so parallel workers build it once). It is a separate interpreter
environment, so the real ``mistralclient`` never shadows our own package, nor ours it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

VENV = Path(os.environ.get("MISTRAL_COMPAT_VENV", "/tmp/mistral-compat-client-venv"))
REQUIREMENT = "python-mistralclient>=6,<7"
REPO = Path(__file__).resolve().parents[2]


def _unavailable(msg: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg)
    pytest.skip(msg)


def _installed_version() -> str | None:
    """The real client's version in the venv, or None when the venv is missing or broken."""
    try:
        out = subprocess.run(
            [str(VENV / "bin" / "python"), "-c",
             "import mistralclient, importlib.metadata as m; "
             "print(mistralclient.__file__); print(m.version('python-mistralclient'))"],
            capture_output=True, text=True, cwd="/", timeout=60,
        )
    except OSError:
        return None
    if out.returncode != 0:
        return None
    where, version = out.stdout.split()
    assert where.startswith(str(VENV)), f"the real client is shadowed: {where}"
    return version


def client_venv() -> Path:
    """The venv with the real client, built once (under a lock) and reused."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(str(VENV) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        version = _installed_version()
        if version is None or not version.startswith("6."):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            r = subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", REQUIREMENT],
                               capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                _unavailable("cannot install python-mistralclient: " + r.stderr[-500:])
            version = _installed_version()
    assert version is not None and version.startswith("6."), version
    return VENV


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CONFIG = """[DEFAULT]
state_path = {state}

[api]
host = 127.0.0.1
port = {port}

[executor]
type = local

[scheduler]
fixed_delay = 0.2
"""


@contextlib.contextmanager
def running_server(workdir: Path) -> Iterator[str]:
    """Start ``mistral-server --server all`` as a real process; yield its v2 URL; stop it."""
    port = free_port()
    conf = workdir / "mistral.conf"
    conf.write_text(CONFIG.format(state=workdir / "state", port=port))
    server = Path(sys.executable).parent / "mistral-server"
    log_path = workdir / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [str(server), "--server", "all", "--config-file", str(conf)],
        cwd=str(workdir), stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError("mistral-server exited: " + log_path.read_text()[-2000:])
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mistral-server did not start") from None
                time.sleep(0.2)
        yield url + "/v2"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_for(fn: Any, what: str, timeout: float = 90.0) -> Any:
    """Poll ``fn`` until it returns something truthy (a readiness wait, not an assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


class Cli:
    """Runs the real ``mistral`` command against our server."""

    def __init__(self, venv: Path, url: str, workdir: Path) -> None:
        self.exe = str(venv / "bin" / "mistral")
        self.python = str(venv / "bin" / "python")
        self.url = url
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("OS_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([self.exe, "--os-mistral-url", self.url, *args],
                           capture_output=True, text=True, cwd=str(self.workdir),
                           env=self.env, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"mistral {' '.join(args)} failed: {r.stderr or r.stdout}")
        return r

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-f", "json").stdout)

    def rows(self, *args: str) -> list[dict[str, Any]]:
        """A list command's rows (the CLI prints one blank row for an empty list)."""
        rows = self.json(*args)
        return [r for r in rows if any(v not in ("", None) for v in r.values())]

    def file(self, name: str, text: str) -> str:
        path = self.workdir / name
        path.write_text(text)
        return str(path)

    def library(self, script: str) -> Any:
        """Run ``script`` with the real client library; it must print one JSON document."""
        prologue = ("import json\nfrom mistralclient.api import client as _c\n"
                    f"mistral = _c.client(mistral_url={self.url!r})\n")
        path = self.workdir / "script.py"
        path.write_text(prologue + script)
        r = subprocess.run([self.python, str(path)], capture_output=True, text=True,
                           cwd=str(self.workdir), env=self.env, timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
