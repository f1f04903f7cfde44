"""Our ``mistralclient`` against python-mistralclient 6.3.0, by introspection of both.

The same script describes each one in its own interpreter (``cli_surface.py``: every
command, its base class and each argparse option and positional; ``lib_surface.py``:
the managers, their methods' signatures, the resource classes), and any difference is a
failure, except the few additions of ours listed here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.compat.real_client import clean_env, describe, real_client_venv

pytestmark = pytest.mark.xdist_group("client_parity")

# Ours, beyond python-mistralclient 6.3.0 (the issue asks for them).
EXTRA_COMMANDS = {"execution-watch", "execution-revert", "service-list"}
EXTRA_ARGUMENTS = {"execution-create": {"--wait", "--rehearse", "--mock"}}
EXTRA_METHODS = {("executions", "ExecutionManager", "rehearse")}
EXTRA_GLOBAL = {"--os-cloud"}
# The text cliff's base classes carry when a command has no docstring of its own.
CLIFF_DEFAULT_HELP = ("Command base class", "Command base class for providing a list of data as output",
                      "Command base class for displaying data about a single object")


SCRIPTS = ("cli_surface.py", "lib_surface.py")


@pytest.fixture(scope="module")
def described() -> tuple[dict, dict]:
    return describe(real_client_venv() / "bin" / "python", *SCRIPTS), describe(sys.executable, *SCRIPTS)


@pytest.fixture(scope="module")
def surfaces(described: tuple[dict, dict]) -> tuple[dict, dict]:
    return described[0]["cli_surface.py"], described[1]["cli_surface.py"]


def _differences(real: dict, ours: dict, extra: set[str]) -> list[str]:
    out = []
    for key in sorted(set(real) | set(ours)):
        if key in extra:
            continue
        if key not in ours:
            out.append("missing %s" % key)
        elif key not in real:
            out.append("extra %s" % key)
        elif real[key] != ours[key]:
            out.append("%s: real %s, ours %s" % (key, real[key], ours[key]))
    return out


def test_every_command_of_the_real_cli_with_the_same_flags(surfaces: tuple[dict, dict]) -> None:
    real, ours = surfaces
    assert set(ours["commands"]) - set(real["commands"]) == EXTRA_COMMANDS
    problems = ["missing command %s" % n for n in sorted(set(real["commands"]) - set(ours["commands"]))]
    for name in sorted(set(real["commands"]) & set(ours["commands"])):
        r, o = real["commands"][name], ours["commands"][name]
        if r["base"] != o["base"]:
            problems.append("%s: a %s, ours a %s" % (name, r["base"], o["base"]))
        problems += ["%s %s" % (name, d) for d in
                     _differences(r["arguments"], o["arguments"], EXTRA_ARGUMENTS.get(name, set()))]
    assert problems == []


def test_the_same_columns(surfaces: tuple[dict, dict]) -> None:
    real, ours = surfaces
    assert ours["columns"] == real["columns"]


def test_the_same_global_options(surfaces: tuple[dict, dict]) -> None:
    real, ours = surfaces
    assert _differences(real["global"], ours["global"], EXTRA_GLOBAL) == []
    assert EXTRA_GLOBAL <= set(ours["global"])


def test_every_command_has_its_own_help(surfaces: tuple[dict, dict]) -> None:
    _, ours = surfaces
    for name, cmd in ours["commands"].items():
        text = cmd["description"].strip()
        assert text and not text.startswith(CLIFF_DEFAULT_HELP), name
    descriptions = [c["description"] for c in ours["commands"].values()]
    assert len(set(descriptions)) == len(descriptions), "two commands share a help text"
    assert ours["commands"]["action-delete"]["description"].startswith("Delete an action")


def test_the_same_library(described: tuple[dict, dict]) -> None:
    real, ours = (d["lib_surface.py"] for d in described)
    for module, cls, method in EXTRA_METHODS:
        assert ours["modules"][module][cls]["methods"].pop(method, None) is not None, method
    assert ours == real


def test_version_is_the_client_version() -> None:
    import mistralclient

    r = subprocess.run([str(Path(sys.executable).parent / "mistral"), "--version"], capture_output=True,
                       text=True, env=clean_env(), cwd="/", timeout=60)
    assert r.returncode == 0
    assert (r.stdout + r.stderr).split() == ["mistral", mistralclient.__version__]
