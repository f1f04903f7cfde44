"""Mistral's own black-box REST API suite (mistral-tempest-plugin) against our server.

tempest 47 and the plugin (``mistral-tempest-tests`` on PyPI) pin their own dependencies,
so they live in a virtualenv of their own, ``~/.cache/mistral-tests/tempest-47``
(``MISTRAL_TEST_CACHE`` moves the cache), built once per machine under a file lock and
reused after. The set-up is devstack's for Mistral:

* a real Keystone 30 (``tests/keystone.py``), a private server for the run: tempest's
  dynamic credentials make three projects and users per test class, and the run
  registers ``workflowv2`` in the catalog, which other tests of the shared server also
  register (a second ``workflowv2`` there would send their clients here);
* our ``mistral-server --server all`` behind keystonemiddleware (``[pecan] auth_enable``),
  ``[api] allow_action_execution_deletion = True``, its database made with
  ``mistral-db-manage upgrade head`` and ``populate`` (the public system workflows);
* ``tempest run`` on ``mistral_tempest_tests.tests.api`` with dynamic credentials
  (the Keystone admin makes them), minus ``EXCLUDED`` (tests that need the internet).

By hand: ``python -m tests.integration.tempest_suite [--concurrency 2] [--regex R]
[--keep DIR]`` prints every test's outcome and a summary; exit 1 when a test failed.
pytest: ``tests/integration/test_tempest.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests import keystone as keystone_harness
from tests.keystone import CACHE, Keystone, KeystoneUnavailable, _locked

REQUIREMENTS = ("tempest==47.0.0", "mistral-tempest-tests==2.10.0")
VENV = CACHE / "tempest-47"
SUITE = "mistral_tempest_tests.tests.api"
SERVICE_TYPE = "workflowv2"  # what the plugin's clients look up in the catalog
SUITE_SIZE = 118  # tests in SUITE of mistral-tempest-tests 2.10.0, excluded ones included

# Skipped by the plugin itself (a ``@testtools.skip`` in its own source), whatever the
# server answers.
PLUGIN_SKIPS = frozenset(SUITE + ".v2." + t for t in (
    "test_actions.ActionTestsV2.test_delete_standard_action",
    "test_actions.ActionTestsV2.test_get_list_actions_greater_than_equal_to_filter",
    "test_actions.ActionTestsV2.test_get_list_actions_less_than_equal_to_filter",
    "test_actions.ActionTestsV2.test_get_list_actions_less_than_filter",
    "test_actions.ActionTestsV2.test_get_list_actions_with_pagination",
    "test_workflows.WorkflowTestsV2.test_delete_wf_with_trigger_associate_in_other_tenant",
))

# Excluded from the run (a regex on the test id) with the outside dependency that keeps
# them from running here. Everything else must pass or be skipped by the plugin itself.
EXCLUDED = {
    r"test_action_executions\.ActionExecutionTestsV2\.test_run_action_std_http\b":
        "std.http GETs http://wiki.openstack.org: needs the internet",
    r"test_action_executions\.ActionExecutionTestsV2\.test_run_action_std_http_error\b":
        "std.http GETs http://www.google.ru/not-found-test: needs the internet",
    r"test_action_executions\.ActionExecutionTestsV2"
    r"\.test_run_action_std_http_non_utf8_response\b":
        "std.http GETs https://httpbingo.org/encoding/utf8: needs the internet",
}

SERVER_CONFIG = """[DEFAULT]
state_path = {state}

[database]
connection = sqlite:///{state}/mistral.db

[api]
host = 127.0.0.1
port = {port}
allow_action_execution_deletion = True

[pecan]
auth_enable = True

[scheduler]
fixed_delay = 0.2

{authtoken}
"""

TEMPEST_CONFIG = """[DEFAULT]
log_file = {workdir}/tempest.log

[auth]
use_dynamic_credentials = True
create_isolated_networks = False
admin_username = {admin.username}
admin_password = {admin.password}
admin_project_name = {admin.project_name}
admin_domain_name = Default
default_credentials_domain_name = Default

[identity]
uri_v3 = {keystone_url}
auth_version = v3
region = RegionOne

[service_available]
mistral = True
nova = False
cinder = False
glance = False
swift = False
neutron = False

[mistral_api]
service_api_supported = True
"""

# Reads the subunit v2 stream of the last run (stestr's) and prints one JSON line per
# test: its id, status (success, fail, skip, ...) and, when it did not pass, the reason.
SUBUNIT_READER = r"""
import json, sys
import subunit, testtools

def emit(test):
    details = test["details"]
    text = ""
    for name in ("reason", "traceback"):
        if name in details:
            text = details[name].as_text()
            break
    print(json.dumps({"id": test["id"], "status": test["status"], "details": text}))

result = testtools.StreamToDict(emit)
result.startTestRun()
subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout").run(result)
result.stopTestRun()
"""


class TempestUnavailable(RuntimeError):
    """tempest or Keystone could not be installed or started here (our server failing is
    a plain ``RuntimeError``: a failure wherever it runs)."""


@dataclass
class Outcome:
    """What one run gave: every test by status, the excluded ones and the run's time."""

    tests: dict[str, dict[str, str]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    workdir: Path | None = None

    def by_status(self, *statuses: str) -> list[str]:
        return sorted(t for t, r in self.tests.items() if r["status"] in statuses)

    @property
    def failed(self) -> list[str]:
        return self.by_status("fail", "uxsuccess")

    def summary(self) -> str:
        return (f"{len(self.by_status('success', 'xfail'))} passed, {len(self.failed)} failed, "
                f"{len(self.by_status('skip'))} skipped, {len(self.excluded)} excluded "
                f"in {self.seconds:.0f} s")


# -- the virtualenv --------------------------------------------------------------------


def _run(args: list[str], what: str, timeout: float = 1200,
         error: type[Exception] = TempestUnavailable) -> None:
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd="/")
    if r.returncode != 0:
        raise error(f"{what} failed: {(r.stderr or r.stdout)[-1500:]}")


def ensure_venv() -> Path:
    """The virtualenv with tempest and the Mistral plugin, built on first use."""
    marker = VENV / ".mistral-tests-complete"
    with _locked(CACHE / "tempest-venv.lock"):
        if marker.exists() and marker.read_text() == repr(REQUIREMENTS):
            return VENV
        _run([sys.executable, "-m", "venv", "--clear", str(VENV)], "creating the venv")
        _run([str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
              *REQUIREMENTS], "pip install " + " ".join(REQUIREMENTS))
        marker.write_text(repr(REQUIREMENTS))
    return VENV


# -- our server --------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def prepare_database(workdir: Path) -> None:
    """``mistral-db-manage upgrade head`` and ``populate`` (the public system workflows), as
    devstack does, on the server's database (it needs no Keystone: run it meanwhile)."""
    (workdir / "state").mkdir(parents=True, exist_ok=True)
    conf = workdir / "db-manage.conf"
    conf.write_text(SERVER_CONFIG.format(state=workdir / "state", port=0, authtoken=""))
    for command in ("upgrade head", "populate"):
        _run([_bin("mistral-db-manage"), "--config-file", str(conf), *command.split()],
             "mistral-db-manage " + command, timeout=600, error=RuntimeError)


@contextlib.contextmanager
def mistral_server(workdir: Path, keystone: Keystone) -> Iterator[str]:
    """``mistral-server --server all`` behind keystonemiddleware on the database
    ``prepare_database`` made; yields the root URL."""
    port = _free_port()
    conf = workdir / "mistral.conf"
    conf.write_text(SERVER_CONFIG.format(state=workdir / "state", port=port,
                                         authtoken=keystone.authtoken_section()))
    log_path = workdir / "server.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([_bin("mistral-server"), "--server", "all",
                                 "--config-file", str(conf)],
                                cwd=str(workdir), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            while True:  # readiness: the public version document answers
                if proc.poll() is not None:
                    raise RuntimeError("mistral-server exited: "
                                             + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(url + "/", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("mistral-server did not start") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def private_keystone(workdir: Path) -> Iterator[Keystone]:
    state = workdir / "keystone"
    try:
        # One request at a time: tempest's two workers make and delete projects and users
        # at once, and a busy SQLite answered one of them "database is locked" (a 500).
        # Keystone's own in-process cache on (devstack caches too): ten times faster.
        ks = keystone_harness.start(state, threads=1, cache=True)
    except (KeystoneUnavailable, OSError, subprocess.SubprocessError) as e:
        raise TempestUnavailable(f"Keystone: {e}") from e
    try:
        yield ks
    finally:
        keystone_harness.stop(state)


# -- tempest -------------------------------------------------------------------------------


def _tempest_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OS_", "PYTHON", "TEMPEST", "MISTRAL"))
            and k != "VIRTUAL_ENV"}


def _results(venv: Path, workdir: Path) -> dict[str, dict[str, str]]:
    stream = subprocess.run([str(venv / "bin" / "stestr"), "last", "--subunit"],
                            capture_output=True, cwd=str(workdir), env=_tempest_env(),
                            timeout=300)
    if not stream.stdout:
        raise TempestUnavailable("no results from stestr: "
                                 + stream.stderr.decode(errors="replace")[-1500:])
    parsed = subprocess.run([str(venv / "bin" / "python"), "-c", SUBUNIT_READER],
                            input=stream.stdout, capture_output=True, cwd=str(workdir),
                            env=_tempest_env(), timeout=300)
    if parsed.returncode != 0:
        raise TempestUnavailable("cannot read the results: "
                                 + parsed.stderr.decode(errors="replace")[-1500:])
    tests: dict[str, dict[str, str]] = {}
    for line in parsed.stdout.decode().splitlines():
        test = json.loads(line)
        name = test["id"].split("[", 1)[0]  # the id without tempest's [id-...,tags]
        if "mistral_tempest_tests" in name:  # tests, and a class's setUpClass (...) failure
            tests[name] = {"status": test["status"], "details": test["details"]}
    return tests


def run_tempest(workdir: Path, keystone: Keystone, mistral_url: str, concurrency: int = 2,
                regex: str = SUITE) -> Outcome:
    """Register ``mistral_url`` in Keystone's catalog and run the plugin's API suite."""
    venv = ensure_venv()
    keystone.register_service(SERVICE_TYPE, "mistral",
                              {i: mistral_url + "/v2" for i in ("public", "internal", "admin")})
    run = workdir / "tempest"
    run.mkdir(parents=True, exist_ok=True)
    conf = run / "tempest.conf"
    conf.write_text(TEMPEST_CONFIG.format(workdir=run, admin=keystone.admin,
                                          keystone_url=keystone.url))
    (run / "exclude.txt").write_text("".join(f"{pattern}\n" for pattern in EXCLUDED))
    started = time.monotonic()
    with open(run / "tempest-run.log", "w") as log:
        proc = subprocess.run(
            [str(venv / "bin" / "tempest"), "run", "--config-file", str(conf),
             "--regex", regex, "--exclude-list", str(run / "exclude.txt"),
             "--concurrency", str(concurrency)],
            cwd=str(run), env=_tempest_env(), stdout=log, stderr=subprocess.STDOUT,
            timeout=1800)
    outcome = Outcome(tests=_results(venv, run), seconds=time.monotonic() - started,
                      workdir=workdir)
    outcome.excluded = dict(EXCLUDED)
    if not outcome.tests:
        raise TempestUnavailable(f"tempest ran no test (exit {proc.returncode}): "
                                 + (run / "tempest-run.log").read_text()[-3000:])
    return outcome


def run_suite(workdir: Path, concurrency: int = 2, regex: str = SUITE) -> Outcome:
    """A private Keystone, our server behind it, and the suite against them."""
    ensure_venv()
    with ThreadPoolExecutor(1) as pool:
        database = pool.submit(prepare_database, workdir)  # while Keystone starts
        with private_keystone(workdir) as ks:
            database.result()
            with mistral_server(workdir, ks) as url:
                return run_tempest(workdir, ks, url, concurrency=concurrency, regex=regex)


def failure_report(outcome: Outcome) -> str:
    """Each failed tempest test with the last lines of its traceback."""
    lines = [outcome.summary()]
    for test in outcome.failed:
        details = outcome.tests[test]["details"].strip().splitlines()
        lines.append(f"FAILED {test}")
        lines.extend("    " + line for line in details[-6:])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.integration.tempest_suite",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--regex", default=SUITE)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (logs, configs)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.keep:
            workdir = args.keep.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tempest-")))
        outcome = run_suite(workdir, args.concurrency, args.regex)
        for test, result in sorted(outcome.tests.items()):
            print(f"{result['status']:8} {test}")
        for pattern, reason in outcome.excluded.items():
            print(f"excluded {pattern}: {reason}")
        print(failure_report(outcome))
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
