"""Every option this project registers is read by code: none is a lie in the config file.

A registry of reads: ``ReadRecorder`` is an oslo.config ``ConfigOpts`` that records
every (group, option) looked up through it. ``mistral-server`` is started through its
composition root with that object in a few layouts that together take every branch
that reads options (all services in one process with TLS, Keystone, health check and
expiration on; the split services on their own). An option registered in
``mistral.config.list_opts()`` that none of them read fails the test, by name.
"""

from __future__ import annotations

import datetime
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oslo_config import cfg

from mistral import config
from mistral.cmd import launch

# Options read only by code that is not on main yet, each with its owner.
NOT_YET_READ: dict[tuple[str, str], str] = {}


class ReadRecorder(cfg.ConfigOpts):
    """``ConfigOpts`` that remembers which options were read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: set[tuple[str, str]] = set()

    def _get(self, name: str, group: Any = None, namespace: Any = None) -> Any:  # noqa: D401
        gname = getattr(group, "name", group) or "DEFAULT"
        self.reads.add((str(gname), name))
        return super()._get(name, group, namespace)


def registered() -> set[tuple[str, str]]:
    return {(group or "DEFAULT", opt.dest) for group, opts in config.list_opts() for opt in opts}


def _cert(tmp_path: Path) -> tuple[Path, Path]:
    from tests.functional.services.tls import self_signed

    return self_signed(tmp_path, "127.0.0.1")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(tmp_path: Path, name: str, servers: str, text: str) -> set[tuple[str, str]]:
    state = tmp_path / name
    state.mkdir()
    f = state / "mistral.conf"
    f.write_text(f"[DEFAULT]\nstate_path = {state}\n[api]\nhost = 127.0.0.1\nport = {_port()}\n" + text)
    conf = ReadRecorder()
    services = launch.load_config(["--config-file", str(f), "--server", servers], conf)
    launcher = launch.Launcher(conf, services)
    try:
        launcher.start()
    finally:
        launcher.stop()
    return conf.reads


@pytest.fixture(scope="module")
def reads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[tuple[str, str]]]:
    tmp = tmp_path_factory.mktemp("reads")
    cert, key = _cert(tmp)
    everything_on = f"""
[pecan]
auth_enable = True
[api]
enable_ssl_api = True
[ssl]
cert_file = {cert}
key_file = {key}
[healthcheck]
enabled = True
[execution_expiration_policy]
evaluation_interval = 60
older_than = 60
[notifier]
type = local
[metrics]
enabled = True
"""
    seen = _run(tmp, "all", "all", everything_on)
    seen |= _run(tmp, "split", "api,engine,periodic,event-engine,notifier",
                 "[executor]\ntype = remote\n[cron_trigger]\nenabled = False\n")
    # an executor without the API serves /metrics on a listener of its own ([metrics] host:port)
    seen |= _run(tmp, "executor", "executor,notifier", f"[metrics]\nenabled = True\nport = {_port()}\n")
    yield seen


def test_every_registered_option_is_read(reads: set[tuple[str, str]]) -> None:
    unread = sorted(registered() - reads - set(NOT_YET_READ))
    assert not unread, "registered but never read: " + ", ".join(f"[{g}] {n}" for g, n in unread)


def test_the_recorder_sees_reads_and_a_new_option_would_fail(tmp_path: Path) -> None:
    conf = ReadRecorder()
    conf.register_opts([cfg.StrOpt("unused_one"), cfg.StrOpt("used_one")], group="probe")
    conf([], default_config_files=[])
    assert conf.probe.used_one is None
    assert ("probe", "used_one") in conf.reads and ("probe", "unused_one") not in conf.reads


def test_removed_options_are_not_registered_and_each_has_a_reason() -> None:
    assert config.REMOVED_OPTIONS
    for (group, name), why in config.REMOVED_OPTIONS.items():
        assert (group, name) not in registered()
        assert len(why) > 20, (group, name)
