"""python-mistralclient 6.3.0 exactly, in a virtualenv of its own.

Its package is also called ``mistralclient``, so it can never share an interpreter with
ours: it lives in ``~/.cache/mistral-tests/python-mistralclient-6.3.0`` (built once per
machine under a file lock, reused after), and tests talk to it through subprocesses.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

VERSION = "6.3.0"
CACHE = Path(os.environ.get("MISTRAL_TESTS_CACHE", Path.home() / ".cache" / "mistral-tests"))
VENV = CACHE / ("python-mistralclient-" + VERSION)
HERE = Path(__file__).resolve().parent


def clean_env() -> dict[str, str]:
    """The environment without credentials, venvs or paths that could leak in."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OS_", "MISTRAL")) and k not in ("PYTHONPATH", "VIRTUAL_ENV", "OPENID_CLIENT_ID",
                                                                   "OPENID_CLIENT_SECRET")}


def unavailable(msg: str) -> None:
    """Skip locally; under CI=true a missing part is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg + " (CI=true: a missing part is a failure)")
    pytest.skip(msg)


def _version() -> str | None:
    try:
        r = subprocess.run([str(VENV / "bin" / "python"), "-c",
                            "import importlib.metadata as m; print(m.version('python-mistralclient'))"],
                           capture_output=True, text=True, cwd="/", timeout=60, env=clean_env())
    except OSError:
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def real_client_venv() -> Path:
    """The venv of the real client (skips locally, fails under CI=true, when it cannot be built)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(str(VENV) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _version() != VERSION:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            r = subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "python-mistralclient==" + VERSION],
                               capture_output=True, text=True, timeout=900)
            if r.returncode != 0 or _version() != VERSION:
                unavailable("python-mistralclient %s cannot be installed: %s" % (VERSION, r.stderr[-400:]))
    return VENV


DRIVER = """
import importlib.util, json, sys
out = {}
for name in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location(name, name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out[name.rsplit("/", 1)[-1]] = module.describe()
json.dump(out, sys.stdout)
"""


def describe(python: str | Path, *scripts: str) -> dict[str, Any]:
    """Run the ``*_surface.py`` scripts of this folder in one ``python`` process outside the
    checkout; their descriptions by script name."""
    r = subprocess.run([str(python), "-c", DRIVER, *(str(HERE / s) for s in scripts)], capture_output=True,
                       text=True, cwd="/", env=clean_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
