"""std.ssh, std.ssh_proxied and std.wait_ssh against real OpenSSH servers on loopback.

Two ``sshd`` (Debian's openssh-server, see ``tests/sshd.py``): the target, and a second
one used as the gateway of std.ssh_proxied. Keys are generated per module; the login
account is a real system user with a password.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry
from mistral.context import RequestContext
from mistral.engine.interface import RunActionRequest
from mistral.executors import DefaultExecutor
from tests import sshd
from tests.functional.engine.harness import Harness

USER = sshd.USER


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ssh-keys")
    return {"user": sshd.keygen(d / "user"), "other": sshd.keygen(d / "other")}


@pytest.fixture(scope="module")
def password() -> str:
    return sshd.ensure_user()


@pytest.fixture(scope="module")
def servers(keys: dict[str, Path], password: str) -> Iterator[dict[str, sshd.OpenSSHServer]]:
    target = sshd.OpenSSHServer([keys["user"]])
    gateway = sshd.OpenSSHServer([keys["user"]])
    try:
        yield {"target": target.start(), "gateway": gateway.start()}
    finally:
        target.stop()
        gateway.stop()


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_host() -> Iterator[str]:
    """Accepts TCP connections and never says a word (no SSH banner)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()
    for c in held:
        c.close()


def test_password_login_runs_the_command(registry, servers, password) -> None:
    host = servers["target"].host
    action = registry.build("std.ssh", {"cmd": "echo hello; id -un", "host": host,
                                        "username": USER, "password": password})
    assert action.run(ActionContext()) == f"hello\n{USER}\n"


def test_key_login_and_host_lists(registry, servers, keys) -> None:
    host = servers["target"].host
    key = keys["user"].read_text()
    two = registry.build("std.ssh", {"cmd": "echo k", "host": [host, host], "username": USER,
                                     "private_key": key})
    assert two.run(ActionContext()) == ["k\n", "k\n"]
    # Mistral's rule: one result is the value itself, even for a list of one host
    one = registry.build("std.ssh", {"cmd": "echo k", "host": [host], "username": USER,
                                     "private_key_filename": str(keys["user"])})
    assert one.run(ActionContext()) == "k\n"


def test_exit_status_and_return_result_on_error(registry, servers, password) -> None:
    host = servers["target"].host
    cmd = "echo out; echo oops >&2; exit 3"
    failing = registry.build("std.ssh", {"cmd": cmd, "host": host, "username": USER, "password": password})
    with pytest.raises(exc.ActionError, match=f"std.ssh: .* failed on {host} with exit status 3: oops"):
        failing.run(ActionContext())
    kept = registry.build("std.ssh", {"cmd": cmd, "host": host, "username": USER, "password": password,
                                      "return_result_on_error": True})
    assert kept.run(ActionContext()) == {"stdout": "out\n", "stderr": "oops\n", "exit_code": 3}


def test_refused_login_and_unreachable_host(registry, servers, keys) -> None:
    host = servers["target"].host
    wrong_pw = registry.build("std.ssh", {"cmd": "true", "host": host, "username": USER, "password": "nope"})
    with pytest.raises(exc.ActionError, match=f"std.ssh: cannot connect to {host} as {USER}: authentication failed"):
        wrong_pw.run(ActionContext())
    wrong_key = registry.build("std.ssh", {"cmd": "true", "host": host, "username": USER,
                                           "private_key": keys["other"].read_text()})
    with pytest.raises(exc.ActionError, match="authentication failed"):
        wrong_key.run(ActionContext())
    closed = f"127.0.0.1:{_closed_port()}"
    nobody = registry.build("std.ssh", {"cmd": "true", "host": closed, "username": USER, "password": "x"})
    with pytest.raises(exc.ActionError, match=f"std.ssh: cannot connect to {closed} as {USER}: connection refused"):
        nobody.run(ActionContext())
    with pytest.raises(exc.ActionError, match="must not contain '..'"):
        registry.build("std.ssh", {"cmd": "x", "host": "h", "username": "u", "private_key_filename": "../id"})
    with pytest.raises(exc.ActionError, match="'private_key' is not a readable"):
        registry.build("std.ssh", {"cmd": "x", "host": "h", "username": "u", "private_key": "junk"})


def test_proxied_through_a_gateway(registry, servers, keys) -> None:
    target, gateway = servers["target"].host, servers["gateway"].host
    action = registry.build("std.ssh_proxied", {
        "cmd": "echo via gateway", "host": target, "username": USER,
        "private_key_filename": str(keys["user"]), "gateway_host": gateway})
    assert action.run(ActionContext()) == "via gateway\n"
    bad_gw = registry.build("std.ssh_proxied", {
        "cmd": "true", "host": target, "username": USER, "private_key_filename": None,
        "private_key": keys["other"].read_text(), "gateway_host": gateway})
    with pytest.raises(exc.ActionError, match=f"std.ssh_proxied: cannot connect to {gateway} as {USER}: "
                                              "authentication failed"):
        bad_gw.run(ActionContext())
    closed = f"127.0.0.1:{_closed_port()}"
    no_route = registry.build("std.ssh_proxied", {
        "cmd": "true", "host": closed, "username": USER,
        "private_key_filename": str(keys["user"]), "gateway_host": gateway})
    with pytest.raises(exc.ActionError, match=f"std.ssh_proxied: the gateway {gateway} cannot reach {closed}"):
        no_route.run(ActionContext())


def test_timeouts_keep_the_executor_threads(registry, servers, password, silent_host) -> None:
    """One worker thread: a host that never answers and a command that never ends both
    time out, and the same thread then runs the next action."""
    executor = DefaultExecutor(registry, engine=None, max_workers=1, heartbeat_interval=0)
    executor.start()
    ctx = RequestContext(project_id="p1")
    try:
        def run(ex_id: str, name: str, action_input: dict, timeout: float | None) -> object:
            return executor.run_action(ctx, RunActionRequest(
                action_ex_id=ex_id, action_name=name, action_input=action_input,
                timeout=timeout, is_sync=True))

        silent = run("a1", "std.ssh", {"cmd": "true", "host": silent_host, "username": USER,
                                       "password": password}, 1)
        assert re.search("timed out|the action's timeout", silent.error)
        endless = run("a2", "std.ssh", {"cmd": "sleep 600", "host": servers["target"].host,
                                        "username": USER, "password": password}, 1)
        assert re.search("timed out|the action's timeout", endless.error)
        after = run("a3", "std.ssh", {"cmd": "echo still here", "host": servers["target"].host,
                                      "username": USER, "password": password}, 60)
        assert after.data == "still here\n", after.error
    finally:
        executor.stop(grace=1)


def test_wait_ssh_and_std_ssh_in_a_workflow(sqlite_database, servers, password) -> None:
    h = Harness(sqlite_database)
    h.define(f"""
version: '2.0'
wf:
  input: [host, pw]
  tasks:
    wait:
      action: std.wait_ssh host=<% $.host %> username={USER} password=<% $.pw %>
      on-success: [run]
    run:
      action: std.ssh host=<% $.host %> username={USER} password=<% $.pw %> cmd="echo done"
      publish:
        said: <% task().result %>
    down:
      action: std.wait_ssh host="127.0.0.1:{_closed_port()}" username={USER} password=x
""")
    wf = h.run("wf", {"host": servers["target"].host, "pw": password})
    assert wf["state"] == "ERROR"
    states = h.task_states(wf["id"])
    assert states == {"wait": "SUCCESS", "run": "SUCCESS", "down": "ERROR"}
    assert h.task(wf["id"], "run")["published"] == {"said": "done\n"}
    assert "std.wait_ssh: cannot connect to" in h.task(wf["id"], "down")["state_info"]
