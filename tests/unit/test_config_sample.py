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


def _blocks(text: str) -> dict[tuple[str, str], str]:
    """The sample split into (group, namespace) -> text, by the generator's
    ``[group]`` and ``# From <namespace>`` markers."""
    blocks: dict[tuple[str, str], list[str]] = {}
    group, namespace = "", ""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and line.endswith("]"):
            group, namespace = line[1:-1], ""
            continue
        if line.startswith("# From ") and i > 0 and lines[i - 1] == "#":
            namespace = line[len("# From "):]
            continue
        blocks.setdefault((group, namespace), []).append(line)
    return {k: "\n".join(v).strip("#\n ") for k, v in blocks.items()}


def test_committed_sample_is_up_to_date(tmp_path: Path) -> None:
    # Our options must match exactly. Library options (oslo.db, oslo.messaging) are
    # compared by group only: their help text moves with the installed versions,
    # which is not staleness of this repository.
    fresh, committed = _blocks(_generate(tmp_path)), _blocks(SAMPLE.read_text())
    stale = "etc/mistral.conf.sample is stale: run tools/generate-config-sample.sh and commit it"
    ours = {k: v for k, v in fresh.items() if k[1] == "mistral.config"}
    assert ours, "the generator produced no mistral.config options"
    assert ours == {k: v for k, v in committed.items() if k[1] == "mistral.config"}, stale
    assert {k for k in fresh if k[1]} == {k for k in committed if k[1]}, stale


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
