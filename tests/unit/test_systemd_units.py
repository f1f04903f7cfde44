"""The systemd units in etc/systemd run mistral-server with a server name it knows."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from mistral import config

UNITS = sorted((Path(__file__).resolve().parents[2] / "etc" / "systemd").glob("*.service"))


def test_units_start_known_servers_with_the_shared_config() -> None:
    names = set()
    for unit in UNITS:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(unit)
        argv = shlex.split(parser["Service"]["ExecStart"])
        assert argv[0].endswith("/mistral-server"), unit.name
        assert argv[argv.index("--config-file") + 1] == "/etc/mistral/mistral.conf"
        server = argv[argv.index("--server") + 1]
        assert server in config.SERVER_NAMES and server != "all", unit.name
        assert unit.name.startswith(f"mistral-{server}")
        assert parser["Install"]["WantedBy"] == "multi-user.target"
        names.add(server)
    assert names == {"api", "engine", "executor", "event-engine", "notifier"}
