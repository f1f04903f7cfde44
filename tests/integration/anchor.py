"""The real Mistral 23.0.0, started by ``../shared/bench/anchor.sh`` from outside the checkout
(so its Python imports the real ``mistral`` package, not ours). Mistral is installed once
per machine into ``~/.cache/mistral-tests/mistral-23.0.0`` (anchor.sh's ``ANCHOR_VENV``)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.compat.real_client import CACHE, clean_env, unavailable
from tests.conftest import require_service
from tests.integration.harness import free_port

REPO = Path(__file__).resolve().parents[2]
# shared/ beside the checkout (CI), or beside the folder of worktrees it is one of.
ANCHOR = Path(os.environ.get("MISTRAL_ANCHOR_SH") or next(
    (p / "shared" / "bench" / "anchor.sh" for p in REPO.parents if (p / "shared" / "bench" / "anchor.sh").is_file()),
    REPO.parent / "shared" / "bench" / "anchor.sh"))
VENV = CACHE / "mistral-23.0.0"


@contextlib.contextmanager
def real_mistral(workdir: Path) -> Iterator[str]:
    """Start the real Mistral 23 (SQLite + RabbitMQ); yield its v2 URL; stop it."""
    require_service("rabbitmq")
    if not ANCHOR.is_file():
        unavailable("no %s (../shared beside the checkout)" % ANCHOR)
    env = {**clean_env(), "ANCHOR_DIR": str(workdir), "ANCHOR_VENV": str(VENV)}
    port = str(free_port())
    start = subprocess.run(["bash", str(ANCHOR), "start", port], cwd=str(workdir), env=env,
                           capture_output=True, text=True, timeout=1500)
    try:
        if start.returncode != 0:
            log = workdir / "run" / "server.log"
            unavailable("the real Mistral 23 did not start: %s %s" % (
                start.stderr[-300:], log.read_text()[-600:] if log.exists() else ""))
        yield start.stdout.strip().splitlines()[-1]
    finally:
        # anchor.sh stop waits up to 10 s for a graceful exit (then kills): let it do so
        # in the background instead of holding the test worker.
        subprocess.Popen(["bash", str(ANCHOR), "stop"], cwd=str(workdir), env=env, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
