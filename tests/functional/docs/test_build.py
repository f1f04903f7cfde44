"""The documentation builds with Sphinx, warnings as errors (the CLI and REST references
are generated from the code during the build, so a broken command or route breaks it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-b", "html",
                           str(DOCS), str(out), "-d", str(tmp_path / "doctrees")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    cli = (out / "cli.html").read_text()
    rest = (out / "rest.html").read_text()
    assert "execution-create" in cli and "workflow-create" in cli
    assert "POST /v2/executions" in rest and "X-Auth-Token" in rest
    for page in ("quickstart", "dsl", "operations"):
        assert (out / f"{page}.html").exists()
