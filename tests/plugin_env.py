"""A virtualenv with Mistral's plugin libraries beside this project, built once per machine.

mistral-extra 17 cannot be installed into the project's own environment: it depends on
python-mistralclient, whose ``mistralclient`` package is the same import name as this
project's own client, and on some twenty other OpenStack clients, Flask and Prometheus.
So it goes into ``~/.cache/mistral-tests/mistral-extra-17`` with ``--no-deps`` (its
OpenStack actions import only what is there: novaclient, cinderclient, keystoneclient),
beside mistral-lib 3.6 (whose own requirements we already have). A ``.pth`` file makes the
running test interpreter's packages and this checkout visible in that venv, so only
those three packages are installed there, once; later runs reuse the venv.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.path.expanduser("~/.cache/mistral-tests"))
VENV = CACHE / "mistral-extra-17"
PACKAGES = ["mistral-lib==3.6.0", "python-keystoneclient>=5,<6"]
NO_DEPS = ["mistral-extra==17.0.0"]


def _site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def python() -> str:
    """The venv's interpreter (built on first use); the current checkout and the test
    interpreter's packages are on its path."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "mistral-extra-17.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        exe = VENV / "bin" / "python"
        if not exe.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True)
        # rewritten every time: the checkout and the test venv may have moved
        (_site_packages(VENV) / "zz_mistral_checkout.pth").write_text(
            f"{ROOT}\n{sysconfig.get_paths()['purelib']}\n")
        done = VENV / ".installed"
        wanted = " ".join(PACKAGES + NO_DEPS)
        if not done.exists() or done.read_text() != wanted:
            pip = [str(exe), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            out = subprocess.run(pip + PACKAGES, capture_output=True, text=True)
            if out.returncode == 0:
                out = subprocess.run(pip + ["--no-deps"] + NO_DEPS, capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(f"cannot build {VENV}: {out.stderr[-2000:]}")
            done.write_text(wanted)
        return str(exe)
