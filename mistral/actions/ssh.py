"""std.ssh and std.ssh_proxied: run a command on hosts over SSH (paramiko), as Mistral does.

Parameters and results follow Mistral 23: a single host gives the command's standard
output, several give a list in the same order; ``return_result_on_error`` gives
``{"stdout", "stderr", "exit_code"}`` per host instead of failing on a non-zero exit.
A relative ``private_key_filename`` is looked up in ``~/.ssh`` and may not contain
``..``. Host keys are accepted on first use, as Mistral does. ``host`` may carry a port
(``name:2222``, ``[::1]:2222``).

No executor thread is lost to a host that does not answer: connecting, the SSH
handshake and authentication are bounded by ``CONNECT_TIMEOUT`` and by the action's
own timeout (``ActionContext.deadline``); the command's output is read in short waits
that stop at that deadline or when the executor cancels the action (which also closes
the connection). Failures are ``ActionError``s naming the action, the host and the
cause (refused, unreachable, timed out, authentication failed, exit status).
"""

from __future__ import annotations

import io
import os
import select
import socket
import threading
import time
from typing import Any

import paramiko

from mistral.actions.base import Action, ActionContext
from mistral.exceptions import ActionError

CONNECT_TIMEOUT = 30.0  # seconds for TCP connect, banner, key exchange and authentication
_POLL = 0.5  # seconds between checks for cancel/deadline while a command runs
_KEY_CLASSES = tuple(
    k for k in (getattr(paramiko, n, None) for n in ("RSAKey", "ECDSAKey", "Ed25519Key")) if k
)


def _split(host: str) -> tuple[str, int]:
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and name and "]" not in port and (name.count(":") == 0 or name.endswith("]")):
        return name.strip("[]"), int(port)
    return host.strip("[]"), 22


def load_key(action: str, filename: str | None, text: str | None,
             passphrase: str | None) -> paramiko.PKey | None:
    """The private key from ``text`` or ``filename`` (relative: under ``~/.ssh``), or None."""
    if not filename and not text:
        return None
    path = None
    if not text:
        assert filename is not None
        if "../" in filename or "..\\" in filename:
            raise ActionError(f"{action}: 'private_key_filename' must not contain '..': {filename}")
        path = filename if os.path.isabs(filename) else os.path.join(os.path.expanduser("~/.ssh"), filename)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise ActionError(f"{action}: cannot read private key file {path}: {e.strerror}") from None
    for cls in _KEY_CLASSES:
        try:
            return cls.from_private_key(io.StringIO(text), password=passphrase or None)
        except paramiko.PasswordRequiredException:
            raise ActionError(f"{action}: the private key is encrypted and no password was given") from None
        except (paramiko.SSHException, ValueError):
            continue
    what = f"private key file {path}" if path else "'private_key'"
    raise ActionError(f"{action}: {what} is not a readable RSA, ECDSA or Ed25519 key")


def _cause(e: BaseException, limit: float | None) -> str:
    if isinstance(e, paramiko.AuthenticationException):
        return "authentication failed"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return f"timed out after {limit:.0f} s" if limit else "timed out"
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, paramiko.ssh_exception.NoValidConnectionsError):
        return "connection refused" if all(
            isinstance(x, ConnectionRefusedError) or getattr(x, "errno", None) == 111
            for x in e.errors.values()) else "host unreachable"
    if isinstance(e, socket.gaierror):
        return f"unknown host ({e.strerror})"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    if isinstance(e, EOFError):
        return "the connection was closed"
    return str(e) or type(e).__name__


class _Session:
    """One SSH client (optionally through an already-open channel) that ``close`` can end
    from another thread (the executor's cancel)."""

    def __init__(self) -> None:
        self.clients: list[paramiko.SSHClient] = []
        self.lock = threading.Lock()
        self.closed = False

    def connect(self, ctx: ActionContext, action: str, host: str, username: str,
                password: str | None, pkey: paramiko.PKey | None,
                sock: Any = None) -> paramiko.SSHClient:
        name, port = _split(host)
        limit = ctx.remaining(CONNECT_TIMEOUT)
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        with self.lock:
            if self.closed:
                raise ActionError(f"{action}: cancelled before connecting to {host}")
            self.clients.append(client)
        try:
            client.connect(
                name, port=port, username=username, password=password, pkey=pkey, sock=sock,
                timeout=limit, banner_timeout=limit, auth_timeout=limit, channel_timeout=limit,
                allow_agent=False, look_for_keys=False,
            )
        except Exception as e:  # noqa: BLE001 - every paramiko/socket failure becomes our error
            if self.closed:
                raise ActionError(f"{action}: cancelled while connecting to {host}") from None
            raise ActionError(f"{action}: cannot connect to {host} as {username}: {_cause(e, limit)}") from None
        return client

    def close(self) -> None:
        with self.lock:
            self.closed = True
            clients = list(self.clients)
        for c in clients:
            try:
                c.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection
                pass


def run_command(ctx: ActionContext, action: Action, name: str, client: paramiko.SSHClient,
                host: str, cmd: str) -> tuple[int, str, str]:
    """Run ``cmd`` and read stdout and stderr together until it exits, the action's deadline
    passes or the action is cancelled. Returns (exit status, stdout, stderr)."""
    try:
        transport = client.get_transport()
        if transport is None:
            raise EOFError
        chan = transport.open_session(timeout=ctx.remaining(CONNECT_TIMEOUT))
        chan.exec_command(cmd)
    except ActionError:
        raise
    except Exception as e:  # noqa: BLE001
        raise ActionError(f"{name}: cannot run '{cmd}' on {host}: {_cause(e, None)}") from None
    out, err = bytearray(), bytearray()
    try:
        while True:
            if action.cancelled:
                raise ActionError(f"{name}: '{cmd}' on {host} was cancelled")
            if ctx.deadline is not None and time.monotonic() >= ctx.deadline:
                raise ActionError(f"{name}: '{cmd}' on {host} did not finish before the action's timeout")
            got = False
            while chan.recv_ready():
                out += chan.recv(65536)
                got = True
            while chan.recv_stderr_ready():
                err += chan.recv_stderr(65536)
                got = True
            if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
                if chan.eof_received or chan.closed:
                    break
            if not got:
                select.select([chan], [], [], ctx.remaining(_POLL))
        status = chan.recv_exit_status()
    except ActionError:
        raise
    except Exception as e:  # noqa: BLE001 - the connection broke while the command ran
        if action.cancelled:
            raise ActionError(f"{name}: '{cmd}' on {host} was cancelled") from None
        raise ActionError(f"{name}: lost the connection to {host} running '{cmd}': {_cause(e, None)}") from None
    finally:
        chan.close()
    return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


class SSHAction(Action):
    """Runs Secure Shell (SSH) command on provided single or multiple hosts.

    ``host`` is one host or a list; several hosts give a list of results in the same order.
    """

    description = "Runs 'cmd' over SSH on 'host' (or a list of hosts) and returns its output."
    _name = "std.ssh"

    def __init__(
        self,
        cmd: str,
        host: Any,
        username: str,
        password: str = "",
        private_key_filename: str | None = None,
        private_key: str | None = None,
        return_result_on_error: bool = False,
    ) -> None:
        super().__init__()
        self.cmd = str(cmd)
        self.hosts = [str(h) for h in host] if isinstance(host, (list, tuple)) else [str(host)]
        if not self.hosts:
            raise ActionError(f"{self._name}: 'host' must name at least one host")
        self.username = username
        self.password = password or None
        self.return_result_on_error = bool(return_result_on_error)
        self.pkey = load_key(self._name, private_key_filename, private_key, self.password)
        self._session: _Session | None = None

    def cancel(self) -> None:
        super().cancel()
        session = self._session
        if session is not None:
            session.close()

    def _open(self, ctx: ActionContext, session: _Session, host: str) -> paramiko.SSHClient:
        return session.connect(ctx, self._name, host, self.username, self.password, self.pkey)

    def _execute(self, ctx: ActionContext, host: str) -> Any:
        session = self._session = _Session()
        if self.cancelled:
            session.close()
        try:
            client = self._open(ctx, session, host)
            status, out, err = run_command(ctx, self, self._name, client, host, self.cmd)
        finally:
            session.close()
        if self.return_result_on_error:
            return {"stdout": out, "stderr": err, "exit_code": status}
        if status != 0:
            raise ActionError(
                f"{self._name}: '{self.cmd}' failed on {host} with exit status {status}: "
                f"{err.strip() or out.strip()}"
            )
        return out

    def run(self, context: ActionContext) -> Any:
        results = [self._execute(context, h) for h in self.hosts]
        # Mistral's rule: more than one result is a list, one is the value itself
        return results if len(results) > 1 else results[0]


class SSHProxiedAction(SSHAction):
    """Runs an SSH command on ``host`` through the gateway ``gateway_host``.

    As in Mistral, the target and the gateway are reached with the same private key
    (``password`` is its passphrase); ``gateway_username`` defaults to ``username``;
    ``proxy_command`` is an OpenSSH-style ProxyCommand used to reach the gateway. The
    target is reached through an SSH TCP tunnel of the gateway (``direct-tcpip``, what
    ``ssh -J`` does), so the gateway needs no ``nc``.
    """

    description = "Runs 'cmd' over SSH on 'host' reached through the SSH gateway 'gateway_host'."
    _name = "std.ssh_proxied"

    def __init__(
        self,
        cmd: str,
        host: Any,
        username: str,
        private_key_filename: str | None,
        gateway_host: str,
        gateway_username: str | None = None,
        password: str | None = None,
        proxy_command: str | None = None,
        private_key: str | None = None,
    ) -> None:
        super().__init__(cmd, host, username, password or "", private_key_filename, private_key)
        if self.pkey is None:
            raise ActionError(f"{self._name}: a private key is needed ('private_key_filename' or 'private_key')")
        self.gateway_host = str(gateway_host)
        self.gateway_username = gateway_username or username
        self.proxy_command = proxy_command

    def _open(self, ctx: ActionContext, session: _Session, host: str) -> paramiko.SSHClient:
        sock = None
        if self.proxy_command:
            try:
                sock = paramiko.ProxyCommand(self.proxy_command)
            except Exception as e:  # noqa: BLE001
                raise ActionError(f"{self._name}: proxy_command failed: {_cause(e, None)}") from None
        gateway = session.connect(ctx, self._name, self.gateway_host, self.gateway_username,
                                  None, self.pkey, sock=sock)
        name, port = _split(host)
        limit = ctx.remaining(CONNECT_TIMEOUT)
        try:
            transport = gateway.get_transport()
            if transport is None:
                raise EOFError
            tunnel = transport.open_channel("direct-tcpip", (name, port), ("127.0.0.1", 0), timeout=limit)
        except Exception as e:  # noqa: BLE001
            if session.closed:
                raise ActionError(f"{self._name}: cancelled while connecting to {host}") from None
            raise ActionError(
                f"{self._name}: the gateway {self.gateway_host} cannot reach {host}: {_cause(e, limit)}"
            ) from None
        return session.connect(ctx, self._name, host, self.username, None, self.pkey, sock=tunnel)


class WaitSSHAction(SSHAction):
    """Mistral's std.wait_ssh: succeeds once ``host`` accepts an SSH login (it runs ``ls -l``).

    Pair it with a task ``retry`` policy to wait for a booting server.
    """

    description = "Simple SSH command."
    _name = "std.wait_ssh"

    def __init__(self, host: Any, username: str, password: str) -> None:
        super().__init__("ls -l", host, username, password)
