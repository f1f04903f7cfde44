"""Installs stay reproducible: constraints.txt pins every dependency inside its range, the
extras exist, and the README's two commands are the ones CI and the tools run."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _requirements(path: Path) -> list[Requirement]:
    lines = (ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines())
    return [Requirement(ln) for ln in lines if ln and not ln.startswith("-")]


def _extras() -> dict[str, list[Requirement]]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    section = cfg["options.extras_require"]
    return {name: [Requirement(ln) for ln in section[name].strip().splitlines()
                   if ln.strip() and not ln.strip().startswith("#")] for name in section}


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for ln in (ROOT / "constraints.txt").read_text().splitlines():
        if ln.startswith("#") or not ln.strip():
            continue
        name, sep, version = ln.partition("==")
        assert sep, f"constraints.txt: {ln!r} is not an exact pin"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_dependency_is_pinned_inside_its_range() -> None:
    pins = _pins()
    reqs = _requirements(ROOT / "requirements.txt") + _requirements(ROOT / "test-requirements.txt")
    reqs += [r for group in _extras().values() for r in group]
    problems = []
    for req in reqs:
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req.name} is not in constraints.txt")
        elif not req.specifier.contains(pinned, prereleases=True):
            problems.append(f"{req.name}=={pinned} is outside {req.specifier}")
    assert not problems, "; ".join(problems) + " (run: bash tools/update-constraints.sh)"


def test_extras_bring_the_drivers() -> None:
    extras = {name: {canonicalize_name(r.name) for r in reqs} for name, reqs in _extras().items()}
    assert "psycopg2-binary" in extras["postgresql"]
    assert "pymysql" in extras["mysql"]
    assert "redis" in extras["redis"]
    assert {"python-novaclient", "python-cinderclient"} <= extras["openstack"]
    runs = (ROOT / "tools" / "run-tests.sh").read_text()
    installed = re.search(r'^EXTRAS="([^"]+)"', runs, re.M)
    assert installed and set(installed.group(1).split(",")) == set(extras), \
        "tools/run-tests.sh must install every extra"


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.rst").read_text()
    quick = readme.split("Quick start\n===========", 1)[1].split("\n=====", 1)[0]
    blocks = re.findall(r"::\n\n((?:    .*\n)+)", quick)
    commands = [b.strip() for b in blocks]
    assert len(commands) == 2, commands
    service, tests = commands
    assert "pip install -c constraints.txt -e ." in service and "mistral-server" in service
    assert tests == "bash tools/run-tests.sh"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec bash tools/run-tests.sh\s*$", ci, re.M)
    assert "-c constraints.txt" in (ROOT / "tools" / "run-tests.sh").read_text()
