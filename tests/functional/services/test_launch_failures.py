"""A requested service that cannot start stops ``mistral-server``; removed options are named.

In one process through the composition root (``mistral-server`` turns the
``ConfigError`` into its one-line message and exit 1, see tests/integration/test_launch.py).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from oslo_config import cfg

from mistral import exceptions as exc
from mistral.cmd import launch


class _BrokenApi:
    """A broken installation, simulated outside our code: ``import mistral.api.app``
    fails the way a missing dependency would."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "mistral.api.app":
            raise ImportError("No module named 'webob_broken_for_the_test'")
        return None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_api_that_cannot_be_imported_stops_the_start(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "mistral.conf"
    f.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n[api]\nhost = 127.0.0.1\nport = {_port()}\n"
                 "[pecan]\ndebug = True\n[scheduler]\npickup_job_after = 5\n")
    conf = cfg.ConfigOpts()
    services = launch.load_config(["--config-file", str(f), "--server", "api,engine"], conf)
    # the removed options a file sets are named, with the reason
    named = launch.removed_options_set(conf)
    assert [line.split(" (")[0] for line in named] == ["[pecan] debug", "[scheduler] pickup_job_after"]
    monkeypatch.delitem(sys.modules, "mistral.api.app", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenApi(), *sys.meta_path])
    launcher = launch.Launcher(conf, services)
    try:
        with pytest.raises(exc.ConfigError) as e:
            launcher.start()
    finally:
        launcher.stop()
    assert str(e.value).startswith("cannot start the api service: ImportError:")
    assert "webob_broken_for_the_test" in str(e.value)
    assert launcher.api_server is None
