"""A real OpenSSH server (Debian's ``openssh-server``) for tests, on a free loopback port.

``tools/ensure-services.sh`` installs the package when ``/usr/sbin/sshd`` is missing;
a test that finds no sshd is skipped locally and fails under ``CI=true``. Each server
gets a generated host key and its own ``authorized_keys``; the login user is a system
account made for the tests (``mistral-ssh-test``) whose password is set at start, so
both key and password logins are the real ones.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
USER = "mistral-ssh-test"
HOME = "/var/lib/mistral-ssh-test"


def _fail_or_skip(msg: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " (CI=true: a missing service is a failure)")
    pytest.skip(msg)


def ensure_user() -> str:
    """Create the test login account (once per machine) and return its password.

    The password is made once and kept in ``~/.cache/mistral-tests/ssh-test-password``
    (mode 0600), so concurrent test workers agree on it.
    """
    if os.geteuid() != 0:
        _fail_or_skip("the OpenSSH tests need root to create their login account")
    cache = Path(os.path.expanduser("~/.cache/mistral-tests"))
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "ssh-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pw_file = cache / "ssh-test-password"
        if not pw_file.exists():
            fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("pw-" + secrets.token_urlsafe(12))
        password = pw_file.read_text().strip()
        if subprocess.run(["id", USER], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--home-dir", HOME, "--no-create-home",
                            "--shell", "/bin/sh", USER], check=True, capture_output=True)
            subprocess.run(["chpasswd"], input=f"{USER}:{password}\n", text=True, check=True,
                           capture_output=True)
        if not os.path.isdir(HOME):
            os.makedirs(HOME, mode=0o700)
            shutil.chown(HOME, USER, USER)
            subprocess.run(["usermod", "--home", HOME, USER], check=True, capture_output=True)
    return password


def keygen(path: Path, comment: str = "mistral-test") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, capture_output=True)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OpenSSHServer:
    """One ``sshd -D`` on 127.0.0.1:<port>, accepting ``authorized`` public keys for USER.

    Its files live in a directory of its own under /tmp that the login user can read
    (sshd reads ``authorized_keys`` as that user; pytest's tmp_path is root-only).
    """

    authorized: list[Path]
    port: int = 0
    proc: subprocess.Popen | None = None
    workdir: Path = Path()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "OpenSSHServer":
        if not os.path.exists(SSHD) or not shutil.which("ssh-keygen"):
            _fail_or_skip(f"{SSHD} is not installed (tools/ensure-services.sh installs openssh-server)")
        self.workdir = Path(tempfile.mkdtemp(prefix="mistral-sshd-"))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation dir
        host_key = keygen(self.workdir / "host_key", "host")
        keys = self.workdir / "authorized_keys"
        keys.write_text("".join(Path(str(p) + ".pub").read_text() for p in self.authorized))
        keys.chmod(0o644)
        self.workdir.chmod(0o755)
        self.port = _free_port()
        config = self.workdir / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
            f"PidFile {self.workdir / 'sshd.pid'}", f"AuthorizedKeysFile {keys}",
            "StrictModes no", "UsePAM no", "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
            f"AllowUsers {USER}", "AllowTcpForwarding yes", "PermitRootLogin no",
            "MaxStartups 50", "LogLevel ERROR", "",
        ]))
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=open(self.workdir / "sshd.log", "wb"))
        for _ in range(100):
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited: {(self.workdir / 'sshd.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(8).startswith(b"SSH-"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.workdir != Path():
            shutil.rmtree(self.workdir, ignore_errors=True)
