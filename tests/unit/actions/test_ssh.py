"""std.ssh against a real SSH server on loopback (paramiko's server side).

The server runs no shell: it answers ``echo <words>`` with the words and ``fail`` with
exit status 3, which is all the action needs to be tested end to end over SSH.
"""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator

import paramiko
import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry

HOST_KEY = paramiko.RSAKey.generate(1024)
USER_KEY = paramiko.RSAKey.generate(1024)


class _Server(paramiko.ServerInterface):
    def __init__(self) -> None:
        self.command: bytes | None = None
        self.ready = threading.Event()

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = (username, password) == ("mistral", "secret")
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        ok = username == "mistral" and key.get_base64() == USER_KEY.get_base64()
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else \
            paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.command = command
        self.ready.set()
        return True


def _serve_one(sock: socket.socket) -> None:
    transport = paramiko.Transport(sock)
    transport.add_server_key(HOST_KEY)
    server = _Server()
    try:
        transport.start_server(server=server)
        channel = transport.accept(20)
        if channel is None or not server.ready.wait(20):
            return
        cmd = (server.command or b"").decode()
        if cmd.startswith("echo "):
            channel.sendall((cmd[5:] + "\n").encode())
            channel.send_exit_status(0)
        else:
            channel.sendall_stderr(b"no such command\n")
            channel.send_exit_status(3)
        channel.close()
    except (paramiko.SSHException, EOFError, OSError):
        pass
    finally:
        transport.close()


@pytest.fixture(scope="module")
def ssh_host() -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=_serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


def test_runs_a_command_with_a_password_and_returns_its_output(registry, ssh_host) -> None:
    action = registry.build("std.ssh", {"cmd": "echo hello there", "host": ssh_host,
                                        "username": "mistral", "password": "secret"})
    assert action.run(ActionContext()) == "hello there\n"


def test_a_private_key_and_a_list_of_hosts(registry, ssh_host) -> None:
    buf = io.StringIO()
    USER_KEY.write_private_key(buf)
    action = registry.build("std.ssh", {"cmd": "echo k", "host": [ssh_host, ssh_host],
                                        "username": "mistral", "private_key": buf.getvalue()})
    assert action.run(ActionContext()) == ["k\n", "k\n"]


def test_failures_are_action_errors_naming_the_host(registry, ssh_host) -> None:
    bad_cmd = registry.build("std.ssh", {"cmd": "fail", "host": ssh_host,
                                         "username": "mistral", "password": "secret"})
    with pytest.raises(exc.ActionError, match=f"failed on {ssh_host} with exit status 3: no such command"):
        bad_cmd.run(ActionContext())
    bad_login = registry.build("std.ssh", {"cmd": "echo x", "host": ssh_host,
                                           "username": "mistral", "password": "wrong"})
    with pytest.raises(exc.ActionError, match=f"cannot run 'echo x' on {ssh_host}"):
        bad_login.run(ActionContext())
    with pytest.raises(exc.ActionError, match="private_key"):
        registry.build("std.ssh", {"cmd": "x", "host": "h", "username": "u", "private_key": "junk"})
    assert registry.describe("std.ssh").input == (
        'cmd, host, username, password="", private_key_filename=null, private_key=null')
