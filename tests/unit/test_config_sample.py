"""etc/mistral.conf.sample is generated from the code and must not go stale."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "etc" / "mistral.conf.sample"


def _generate(tmp_path: Path) -> str:
    out = tmp_path / "mistral.conf.sample"
    env = dict(os.environ, PYTHON=sys.executable, HOME=str(tmp_path))
    result = subprocess.run(
        ["bash", str(ROOT / "tools" / "generate-config-sample.sh"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out.read_text()


def test_committed_sample_is_up_to_date(tmp_path: Path) -> None:
    fresh = _generate(tmp_path)
    assert fresh == SAMPLE.read_text(), (
        "etc/mistral.conf.sample is stale: run tools/generate-config-sample.sh and commit it"
    )


def test_sample_has_no_machine_specific_values() -> None:
    text = SAMPLE.read_text()
    for leak in {socket.gethostname(), os.path.expanduser("~"), sys.prefix, str(ROOT)}:
        if len(leak) > 3:  # a one-letter hostname would match anything
            assert f"= {leak}" not in text and f"={leak}" not in text, leak
            assert leak + "/" not in text, leak
    assert "#transport_url = fake:/" in text
    assert "#state_path = ~/.local/state/mistral" in text
    for group in ("[DEFAULT]", "[database]", "[engine]", "[api]", "[oslo_messaging_rabbit]"):
        assert group in text
