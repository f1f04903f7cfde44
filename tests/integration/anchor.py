"""The real Mistral 23.0.0, started by ``../shared/bench/anchor.sh`` from outside the checkout
(so its Python imports the real ``mistral`` package, not ours). Mistral is installed once
per machine into ``~/.cache/mistral-tests/mistral-23.0.0`` (anchor.sh's ``ANCHOR_VENV``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.compat.harness import free_port
from tests.compat.real_client import CACHE, clean_env, unavailable
from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]
# shared/ beside the checkout (CI), or beside the folder of worktrees it is one of.
ANCHOR = Path(os.environ.get("MISTRAL_ANCHOR_SH") or next(
    (p / "shared" / "bench" / "anchor.sh" for p in REPO.parents if (p / "shared" / "bench" / "anchor.sh").is_file()),
    REPO.parent / "shared" / "bench" / "anchor.sh"))
VENV = CACHE / "mistral-23.0.0"
# Now and then Mistral 23's API process (eventlet) logs that it started and then never
# answers; anchor.sh's own readiness curl has no timeout and waits forever then. So we
# watch it: no answer this long after "API server started" means a fresh start.
ANSWER_WITHIN = 60.0
# Its settings beyond anchor.sh's file (oslo.config reads OS_<GROUP>__<OPTION> from the environment):
# - on a busy machine its engine may answer an RPC after the default 60 s;
# - by default its master process runs the cron-trigger loop (a thread taking the SQLite
#   transaction lock, a process-wide RLock) while it forks the service processes: a process forked
#   while the loop held the lock inherits it held and hangs at its first transaction (an engine that
#   never answers start_workflow, an API that never answers). One start in three hung so on this
#   machine. Its dedicated periodic process (also in `--server all`) runs cron triggers instead.
ANCHOR_ENV = {"OS_DEFAULT__RPC_RESPONSE_TIMEOUT": "300", "OS_CRON_TRIGGER__RUN_IN_API": "False"}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/workflows", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _start(workdir: Path, env: dict[str, str]) -> str | None:
    """One try: anchor.sh start on a fresh port; the v2 URL, or None if the API hung."""
    port = free_port()
    url = "http://127.0.0.1:%d/v2" % port
    log = workdir / "run" / "server.log"
    proc = subprocess.Popen(["bash", str(ANCHOR), "start", str(port)], cwd=str(workdir), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    api_up: float | None = None
    while proc.poll() is None:
        if api_up is None and log.exists() and "API server started" in log.read_text(errors="replace"):
            api_up = time.monotonic()
        if api_up is not None and time.monotonic() - api_up > ANSWER_WITHIN and not _answers(url):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            _stop(workdir, env, wait=True)
            return None
        time.sleep(1)
    out, err = proc.communicate()
    if proc.returncode != 0:
        unavailable("the real Mistral 23 did not start: %s %s" % (
            err[-300:], log.read_text(errors="replace")[-600:] if log.exists() else ""))
    return out.strip().splitlines()[-1]


def _quiet_event_engine(log: Path) -> None:
    """Its event engine polls an empty queue without a pause (a thread spinning on
    ``get_nowait``: a whole CPU of this 2-core machine while it lives, slowing every test
    beside it). The tests use none of its event triggers' firing, only the API's answers, so
    that process runs at the lowest priority: it still answers, but takes only idle CPU."""
    for line in log.read_text(errors="replace").splitlines():
        if "Starting event notification engine" in line:
            with contextlib.suppress(IndexError, ValueError, OSError):
                os.setpriority(os.PRIO_PROCESS, int(line.split()[2]), 19)
            return


def _stop(workdir: Path, env: dict[str, str], wait: bool = False) -> None:
    # anchor.sh stop waits up to 10 s for a graceful exit (then kills): in the background
    # unless the next start needs the ports and the database free.
    stop = subprocess.Popen(["bash", str(ANCHOR), "stop"], cwd=str(workdir), env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait:
        stop.wait(timeout=120)


@contextlib.contextmanager
def real_mistral(workdir: Path, policy: str | None = None) -> Iterator[str]:
    """Start the real Mistral 23 (SQLite + RabbitMQ); yield its v2 URL; stop it. ``policy``
    (YAML rules) goes where its oslo.policy looks: ``policy.yaml`` beside its config file."""
    require_service("rabbitmq")
    if not ANCHOR.is_file():
        unavailable("no %s (../shared beside the checkout)" % ANCHOR)
    env = {**clean_env(), "ANCHOR_DIR": str(workdir), "ANCHOR_VENV": str(VENV), **ANCHOR_ENV}
    if policy is not None:
        (workdir / "run").mkdir(parents=True, exist_ok=True)
        (workdir / "run" / "policy.yaml").write_text(policy)
    try:
        url = _start(workdir, env) or _start(workdir, env) or _start(workdir, env)
        if url is None:
            unavailable("the real Mistral 23's API started three times without answering")
        _quiet_event_engine(workdir / "run" / "server.log")
        yield url
    finally:
        _stop(workdir, env)
