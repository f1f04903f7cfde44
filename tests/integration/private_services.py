"""A private RabbitMQ node and a private PostgreSQL cluster, for tests that restart them.

The machine's RabbitMQ and PostgreSQL are shared by every test run (and by other
people's): restarting them would break those. A test that must restart a broker or a
database starts its own from the installed server binaries, on free loopback ports with
data directories under its tmp path, and stops them at the end.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.harness import free_port

RABBIT_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is required under CI")
    pytest.skip(f"{what} is not installed")


def _wait_port(port: int, timeout: float, what: str, log: Path) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise AssertionError(f"{what} did not start on port {port}:\n{tail}")


@dataclass
class PrivateRabbit:
    """``rabbitmq-server`` as a node of its own (own name, ports, Mnesia and log dirs)."""

    workdir: Path
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"rabbit://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        base = self.workdir
        (base / "plugins").write_text("[].\n")
        name = f"rabbit-mistral-{os.getpid()}-{self.port}@localhost"
        return {**os.environ,
                "RABBITMQ_NODENAME": name, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(base / "mnesia"), "RABBITMQ_LOG_BASE": str(base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "plugins"),
                "RABBITMQ_PID_FILE": str(base / "pid"),
                "RABBITMQ_CONFIG_FILE": str(base / "none"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "none-advanced.config"),
                "RABBITMQ_CONF_ENV_FILE": str(base / "none-env.conf")}

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "server.log"
        with open(log, "ab") as out:
            self.popen = subprocess.Popen([RABBIT_SERVER], env=self._env(), stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        _wait_port(self.port, 90, "the private RabbitMQ", log)
        time.sleep(1.0)  # the listener opens just before the broker accepts logins

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        self.popen = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else (shutil.which(name) or "")


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (``initdb`` + ``pg_ctl``), as ``postgres`` when
    this runs as root (PostgreSQL refuses to run as root)."""

    workdir: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.workdir / "data"), "-A", "trust",
                  "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=300")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.workdir / "data"), "-l",
                  str(self.workdir / "server.log"), "-w", "-o", opts, "start")

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.workdir / "data"), "-m", mode, "stop")

    def restart(self) -> None:
        self.stop("immediate")  # like a crash: no checkpoint, sessions cut
        self.start()


@contextlib.contextmanager
def private_services(tmp_path: Path) -> Iterator[tuple[PrivateRabbit, PrivatePostgres]]:
    if not os.path.exists(RABBIT_SERVER):
        _missing("rabbitmq-server")
    if not _pg_bin("initdb") or not _pg_bin("pg_ctl"):
        _missing("PostgreSQL server binaries (initdb, pg_ctl)")
    import tempfile

    rabbit = PrivateRabbit(tmp_path / "rabbit")
    # not under tmp_path: the postgres user must be able to reach its data directory
    pg_dir = Path(tempfile.mkdtemp(prefix="mistral-pg-"))
    pg = PrivatePostgres(pg_dir)
    try:
        pg.init()
        rabbit.start()
        yield rabbit, pg
    finally:
        rabbit.stop()
        pg.stop("immediate")
        shutil.rmtree(pg_dir, ignore_errors=True)
