"""std.ssh: run a command on one host or several over SSH (paramiko), like Mistral's.

The result is the command's standard output (a list of outputs for a list of hosts). A
non-zero exit status, a refused login or an unreachable host is an ``ActionError``
naming the host. Host keys are accepted on first use, as Mistral does.
"""

from __future__ import annotations

import io
from typing import Any

import paramiko

from mistral.actions.base import Action, ActionContext
from mistral.exceptions import ActionError

_KEY_CLASSES = tuple(
    k for k in (getattr(paramiko, n, None) for n in ("RSAKey", "Ed25519Key", "ECDSAKey")) if k
)


def _load_key(text: str) -> paramiko.PKey:
    for cls in _KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise ActionError("std.ssh: 'private_key' is not a readable RSA, Ed25519 or ECDSA key")


def _split(host: str) -> tuple[str, int]:
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and name and "]" not in port:
        return name.strip("[]"), int(port)
    return host, 22


class SSHAction(Action):
    description = "Runs 'cmd' over SSH on 'host' (or a list of hosts) and returns its output."

    def __init__(
        self,
        cmd: str,
        host: Any,
        username: str,
        password: str = "",
        private_key_filename: str | None = None,
        private_key: str | None = None,
    ) -> None:
        super().__init__()
        self.cmd = cmd
        self.hosts = [str(h) for h in host] if isinstance(host, (list, tuple)) else [str(host)]
        if not self.hosts:
            raise ActionError("std.ssh: 'host' must name at least one host")
        self.single = not isinstance(host, (list, tuple))
        self.username = username
        self.password = password or None
        self.key_filename = private_key_filename
        self.pkey = _load_key(private_key) if private_key else None

    def _execute(self, host: str) -> str:
        name, port = _split(host)
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            client.connect(
                name, port=port, username=self.username, password=self.password,
                pkey=self.pkey, key_filename=self.key_filename, timeout=30,
                allow_agent=False, look_for_keys=False,
            )
            _, stdout, stderr = client.exec_command(self.cmd, timeout=None)
            out = stdout.read().decode("utf-8", "replace")
            err = stderr.read().decode("utf-8", "replace")
            status = stdout.channel.recv_exit_status()
        except (paramiko.SSHException, OSError) as e:
            raise ActionError(f"std.ssh: cannot run '{self.cmd}' on {host}: {e or type(e).__name__}") from None
        finally:
            client.close()
        if status != 0:
            raise ActionError(
                f"std.ssh: '{self.cmd}' failed on {host} with exit status {status}: {err.strip() or out.strip()}"
            )
        return out

    def run(self, context: ActionContext) -> Any:
        outputs = [self._execute(h) for h in self.hosts]
        return outputs[0] if self.single else outputs
