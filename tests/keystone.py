"""A real Keystone for the tests: ``keystone`` 30.0.0 from PyPI, on SQLite with fernet tokens.

Keystone's pins clash with ours, so it lives in a virtualenv of its own under
``~/.cache/mistral-tests/keystone-30.0.0`` (``MISTRAL_TEST_CACHE`` moves the cache), built
once per machine under a file lock and reused after. Next to it a *template* holds what
``keystone-manage db_sync``, ``fernet_setup``, ``credential_setup`` and ``bootstrap`` made
(the SQLite database, the key repositories, the admin password): they take about a minute
on a busy machine, so they run once too, and every server starts from a fresh copy.

A server is gunicorn serving ``keystone.wsgi.api:application`` in a subprocess of its own
on a free 127.0.0.1 port. At start it points the catalog's identity endpoints at that
port and makes the ``service`` project with a ``mistral`` user (role ``service``) that
keystonemiddleware's ``auth_token`` logs in as (``authtoken_options()``).

* pytest: the session fixture ``keystone`` (registered in ``tests/conftest.py``) gives a
  ``Keystone``; the xdist workers of one run share one server (reference-counted in the
  run's base temp dir), the last one out stops it. If Keystone cannot be built or
  started, a test asking for it is skipped, or fails under ``CI=true``.
* by hand (for other harnesses, e.g. tempest): ``python -m tests.keystone start
  [--state-dir DIR]`` starts a server that outlives the command and prints its URL and
  credentials as JSON (again, without starting another, while it runs);
  ``python -m tests.keystone stop [--state-dir DIR]`` stops it. The default DIR is
  ``~/.cache/mistral-tests/keystone-run``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import requests

VERSION = "30.0.0"
REQUIREMENTS = (f"keystone=={VERSION}", "gunicorn>=27,<28")
CACHE = Path(os.environ.get("MISTRAL_TEST_CACHE") or "~/.cache/mistral-tests").expanduser()
VENV = CACHE / f"keystone-{VERSION}"
TEMPLATE = CACHE / f"keystone-{VERSION}-template"
RUN_DIR = CACHE / "keystone-run"
START_TIMEOUT = 180.0
SERVICE_USER = "mistral"

CONFIG = """[DEFAULT]
log_file = {state}/keystone.log
[database]
connection = sqlite:///{state}/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {state}/fernet-keys
[fernet_receipts]
key_repository = {state}/fernet-keys
[credential]
key_repository = {state}/credential-keys
[cache]
enabled = {cache}
backend = dogpile.cache.memory
[identity]
# bcrypt's cheapest cost: logins and new users are quick (these are test passwords)
password_hash_rounds = 4
"""


class KeystoneUnavailable(RuntimeError):
    """Keystone could not be installed or started here."""


@dataclass(frozen=True)
class Credentials:
    """A Keystone user scoped to a project (password authentication)."""

    username: str
    password: str
    project_name: str
    project_id: str | None = None
    user_id: str | None = None
    user_domain_name: str = "Default"
    project_domain_name: str = "Default"

    def os_env(self, auth_url: str) -> dict[str, str]:
        """The ``OS_*`` variables a client (python-mistralclient, openstack) reads."""
        return {
            "OS_AUTH_URL": auth_url, "OS_USERNAME": self.username,
            "OS_PASSWORD": self.password, "OS_PROJECT_NAME": self.project_name,
            "OS_USER_DOMAIN_NAME": self.user_domain_name,
            "OS_PROJECT_DOMAIN_NAME": self.project_domain_name,
            "OS_IDENTITY_API_VERSION": "3",
        }


# -- building once per machine ----------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(args: list[str], what: str, timeout: float = 900, **kw: Any) -> None:
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd="/", **kw)
    if r.returncode != 0:
        raise KeystoneUnavailable(f"{what} failed: {(r.stderr or r.stdout)[-1500:]}")


def ensure_venv() -> Path:
    """The virtualenv with Keystone and gunicorn, built on first use."""
    marker = VENV / ".mistral-tests-complete"
    with _locked(CACHE / "keystone-venv.lock"):
        if marker.exists() and marker.read_text() == repr(REQUIREMENTS):
            return VENV
        _run([sys.executable, "-m", "venv", "--clear", str(VENV)], "creating the venv")
        _run([str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
              *REQUIREMENTS], "pip install " + " ".join(REQUIREMENTS))
        marker.write_text(repr(REQUIREMENTS))
    return VENV


def _manage(state: Path, *args: str) -> None:
    _run([str(VENV / "bin" / "keystone-manage"), "--config-file", str(state / "keystone.conf"),
          *args], "keystone-manage " + args[0])


def ensure_template() -> dict[str, Any]:
    """The bootstrapped database and keys every server copies; returns its admin login."""
    ensure_venv()
    info_path = TEMPLATE / "template.json"
    with _locked(CACHE / "keystone-template.lock"):
        if info_path.exists():
            return json.loads(info_path.read_text())
        work = TEMPLATE.with_name(TEMPLATE.name + ".building")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "keystone.conf").write_text(CONFIG.format(state=work, cache="false"))
        user = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
        _manage(work, "db_sync")
        _manage(work, "fernet_setup", *user)
        _manage(work, "credential_setup", *user)
        password = secrets.token_urlsafe(16)
        # the endpoint's port is set for real by every server at its start
        _manage(work, "bootstrap", "--bootstrap-password", password,
                "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
                "--bootstrap-role-name", "admin", "--bootstrap-region-id", "RegionOne",
                "--bootstrap-public-url", "http://127.0.0.1:1/v3",
                "--bootstrap-internal-url", "http://127.0.0.1:1/v3")
        (work / "template.json").write_text(json.dumps({"admin_password": password}))
        (work / "keystone.conf").unlink()
        (work / "keystone.log").unlink(missing_ok=True)
        shutil.rmtree(TEMPLATE, ignore_errors=True)
        work.rename(TEMPLATE)
        return json.loads(info_path.read_text())


# -- one server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _send(method: str, url: str, **kw: Any) -> requests.Response:
    """One request; a 5xx (SQLite busy under a loaded machine) is tried twice more."""
    for attempt in range(3):
        r = requests.request(method, url, timeout=60, **kw)
        if r.status_code < 500 or attempt == 2:
            return r
        time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


class Keystone:
    """A running Keystone and an admin's view of it."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.url: str = info["url"]
        self.pid: int = info["pid"]
        self.admin = Credentials(**info["admin"])
        self.service = Credentials(**info["service"])
        self._admin_token: str | None = None

    # -- talking to it ----------------------------------------------------------------

    def _request(self, method: str, path: str, expect: tuple[int, ...] = (200, 201, 204),
                 **kw: Any) -> requests.Response:
        headers = {"X-Auth-Token": self.admin_token(), **kw.pop("headers", {})}
        r = _send(method, self.url + path, headers=headers, **kw)
        if r.status_code == 401 and self._admin_token:  # the admin token expired: once more
            self._admin_token = None
            headers["X-Auth-Token"] = self.admin_token()
            r = _send(method, self.url + path, headers=headers, **kw)
        if r.status_code not in expect:
            raise RuntimeError(f"Keystone {method} {path}: {r.status_code} {r.text[:500]}")
        return r

    def admin_token(self) -> str:
        if self._admin_token is None:
            self._admin_token = self.token(self.admin)[0]
        return self._admin_token

    def token(self, creds: Credentials) -> tuple[str, dict[str, Any]]:
        """A project-scoped token for ``creds``: (the token, the token body)."""
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": creds.username, "password": creds.password,
                "domain": {"name": creds.user_domain_name}}}},
            "scope": {"project": {"name": creds.project_name,
                                  "domain": {"name": creds.project_domain_name}}},
        }}
        r = _send("POST", self.url + "/auth/tokens", json=body)
        if r.status_code != 201:
            raise RuntimeError(f"Keystone login of {creds.username}: {r.status_code} {r.text}")
        return r.headers["X-Subject-Token"], r.json()["token"]

    def short_lived_token(self, creds: Credentials, seconds: int = 3) -> tuple[str, dict]:
        """A token that Keystone itself expires in ``seconds`` (through an application
        credential with that expiry); wait past ``body["expires_at"]`` to hold an expired one."""
        user_token, _ = self.token(creds)
        while True:  # a busy Keystone may take longer than ``seconds`` to answer: widen it
            expires = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + seconds))
            r = requests.post(
                f"{self.url}/users/{creds.user_id}/application_credentials",
                headers={"X-Auth-Token": user_token}, timeout=60,
                json={"application_credential": {"name": "short-" + secrets.token_hex(4),
                                                 "expires_at": expires}})
            if r.status_code == 400 and seconds < 120:
                seconds *= 2
                continue
            if r.status_code != 201:
                raise RuntimeError(f"application credential: {r.status_code} {r.text}")
            break
        cred = r.json()["application_credential"]
        r = requests.post(self.url + "/auth/tokens", timeout=60, json={"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": cred["id"], "secret": cred["secret"]}}}})
        if r.status_code != 201:
            raise RuntimeError(f"application credential login: {r.status_code} {r.text}")
        return r.headers["X-Subject-Token"], r.json()["token"]

    def short_lived_front(self, seconds: int) -> ShortLivedFront:
        """A second server on this one's database whose tokens expire in ``seconds``
        (password tokens, which may create trusts; an application credential's may not).
        ``.url``, ``.token(creds)``; ``.stop()`` it when done."""
        return ShortLivedFront(self, seconds)

    def trusts_of(self, user_id: str) -> list[dict[str, Any]]:
        """The trusts ``user_id`` gave (as the admin sees them)."""
        return self._request("GET", "/OS-TRUST/trusts",
                             params={"trustor_user_id": user_id}).json()["trusts"]

    def validate(self, token: str) -> dict[str, Any] | None:
        """What Keystone says of ``token`` now (the token body), or None if refused."""
        r = self._request("GET", "/auth/tokens", expect=(200, 404, 401),
                          headers={"X-Subject-Token": token})
        return r.json()["token"] if r.status_code == 200 else None

    def revoke(self, token: str) -> None:
        """Revoke ``token`` in Keystone (``DELETE /v3/auth/tokens``)."""
        self._request("DELETE", "/auth/tokens", headers={"X-Subject-Token": token})

    def role_id(self, name: str) -> str:
        roles = self._request("GET", "/roles", params={"name": name}).json()["roles"]
        if roles:
            return roles[0]["id"]
        return self._request("POST", "/roles", json={"role": {"name": name}}).json()["role"]["id"]

    def make_project_user(self, prefix: str, roles: tuple[str, ...] | list[str] = ("member",),
                          ) -> Credentials:
        """A new project and a user with ``roles`` in it (names get a random suffix)."""
        name = f"{prefix}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        project = self._request("POST", "/projects", json={"project": {
            "name": name, "domain_id": "default"}}).json()["project"]
        user = self._request("POST", "/users", json={"user": {
            "name": name, "password": password, "domain_id": "default",
            "default_project_id": project["id"]}}).json()["user"]
        for role in roles:
            self._request("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/"
                          f"{self.role_id(role)}")
        return Credentials(username=name, password=password, project_name=name,
                           project_id=project["id"], user_id=user["id"])

    def register_service(self, service_type: str, name: str, endpoints: dict[str, str],
                         region: str = "RegionOne") -> str:
        """Put ``service_type`` in the catalog with ``{interface: url}`` endpoints in
        ``region`` (replacing that service's endpoints there); returns the service id."""
        found = [s for s in self._request("GET", "/services", params={"type": service_type})
                 .json()["services"] if s.get("name") == name]
        if found:
            service_id = found[0]["id"]
        else:
            service_id = self._request("POST", "/services", json={"service": {
                "type": service_type, "name": name, "enabled": True}}).json()["service"]["id"]
        if self._request("GET", f"/regions/{region}", expect=(200, 404)).status_code == 404:
            # 409: it exists (a retried POST whose first try was answered 5xx yet stored it)
            self._request("POST", "/regions", json={"region": {"id": region}}, expect=(201, 409))
        old = self._request("GET", "/endpoints", params={"service_id": service_id}).json()
        for ep in old["endpoints"]:
            if ep.get("region_id") == region and ep["interface"] in endpoints:
                self._request("DELETE", f"/endpoints/{ep['id']}")
        for interface, url in endpoints.items():
            self._request("POST", "/endpoints", json={"endpoint": {
                "service_id": service_id, "interface": interface, "url": url,
                "region_id": region, "enabled": True}})
        return service_id

    def authtoken_options(self, **overrides: Any) -> dict[str, Any]:
        """``[keystone_authtoken]`` for a server whose middleware validates against us."""
        opts: dict[str, Any] = {
            "www_authenticate_uri": self.url, "auth_url": self.url, "auth_type": "password",
            "username": self.service.username, "password": self.service.password,
            "project_name": self.service.project_name, "user_domain_name": "Default",
            "project_domain_name": "Default", "interface": "public",
        }
        opts.update(overrides)
        return opts

    def authtoken_section(self, **overrides: Any) -> str:
        """``authtoken_options()`` as the text of a config file section."""
        return "[keystone_authtoken]\n" + "".join(
            f"{k} = {v}\n" for k, v in self.authtoken_options(**overrides).items())


class ShortLivedFront:
    """A second Keystone server on the same database and keys whose tokens expire after
    ``seconds`` (``[token] expiration``): its password tokens are ordinary ones that
    Keystone itself refuses once expired. What it issues is valid at the main server too."""

    def __init__(self, main: Keystone, seconds: int) -> None:
        self.main = main
        self.seconds = seconds
        state = Path(main.info["state_dir"])
        self.state = state / f"short-{seconds}-{secrets.token_hex(3)}"
        self.state.mkdir(parents=True)
        conf = CONFIG.format(state=state, cache="false").replace(
            f"log_file = {state}/keystone.log", f"log_file = {self.state}/keystone.log"
        ).replace("provider = fernet", f"provider = fernet\nexpiration = {seconds}")
        self.proc, self.url = _serve(self.state, conf)

    def token(self, creds: Credentials) -> tuple[str, dict[str, Any]]:
        """A password token of ``creds`` that expires in ``seconds``."""
        return Keystone({**self.main.info, "url": self.url}).token(creds)

    def stop(self) -> None:
        _kill(self.proc.pid)


def _serve(state: Path, conf: str, threads: int = 4) -> tuple[subprocess.Popen, str]:
    """gunicorn serving Keystone with ``conf`` (written to ``state``) on a free port;
    returns the process and its ``/v3`` URL once it answers."""
    (state / "keystone.conf").write_text(conf)
    # Keystone parses sys.argv as its own command line: hide gunicorn's from it
    (state / "keystone_app.py").write_text(
        "import sys\nsys.argv = sys.argv[:1]\nfrom keystone.wsgi.api import application\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v3"
    log = state / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "PYTHON"))}
    env["OS_KEYSTONE_CONFIG_FILES"] = str(state / "keystone.conf")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(VENV / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", str(threads), "--worker-class", "gthread",
             "--timeout", "120", "--no-control-socket", "--chdir", str(state),
             "keystone_app:application"],
            cwd=str(state), env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_ready(url, proc, log)
    except BaseException:
        _kill(proc.pid)
        raise
    return proc, url


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise KeystoneUnavailable("Keystone exited: " + _tail(log))
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise KeystoneUnavailable("Keystone did not answer in time: " + _tail(log))
        time.sleep(0.3)


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


def start(state: Path, threads: int = 4, cache: bool = False) -> Keystone:
    """Start a Keystone from a fresh copy of the template in ``state``; it runs until
    ``stop(state)`` (its own session: it outlives the caller). ``threads=1`` serves one
    request at a time: no "database is locked" from SQLite however busy the machine.
    ``cache``: Keystone's in-process cache (tokens, roles, catalog), several times faster."""
    template = ensure_template()
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    shutil.copy(TEMPLATE / "keystone.db", state / "keystone.db")
    for keys in ("fernet-keys", "credential-keys"):
        shutil.copytree(TEMPLATE / keys, state / keys)
    proc, url = _serve(state, CONFIG.format(state=state, cache="true" if cache else "false"),
                       threads)
    try:
        service_password = secrets.token_urlsafe(12)
        info = {
            "url": url, "pid": proc.pid, "state_dir": str(state),
            "admin": asdict(Credentials("admin", template["admin_password"], "admin")),
            "service": asdict(Credentials(SERVICE_USER, service_password, "service")),
        }
        ks = Keystone(info)
        _set_up(ks, url, service_password)
        _, body = ks.token(ks.admin)
        info["admin"] = asdict(replace(ks.admin, project_id=body["project"]["id"],
                                       user_id=body["user"]["id"]))
        info["service"] = asdict(ks.service)
        (state / "keystone.json").write_text(json.dumps(info, indent=2))
        return Keystone(info)
    except BaseException:
        _kill(proc.pid)
        raise


def _set_up(ks: Keystone, url: str, service_password: str) -> None:
    """The catalog's identity endpoints at our port; the middleware's service user."""
    identity = ks._request("GET", "/services", params={"type": "identity"}).json()["services"]
    for ep in ks._request("GET", "/endpoints",
                          params={"service_id": identity[0]["id"]}).json()["endpoints"]:
        ks._request("PATCH", f"/endpoints/{ep['id']}", json={"endpoint": {"url": url}})
    project = ks._request("POST", "/projects", json={"project": {
        "name": "service", "domain_id": "default"}}).json()["project"]
    user = ks._request("POST", "/users", json={"user": {
        "name": SERVICE_USER, "password": service_password, "domain_id": "default",
        "default_project_id": project["id"]}}).json()["user"]
    ks._request("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/"
                f"{ks.role_id('service')}")
    ks.service = Credentials(SERVICE_USER, service_password, "service",
                             project_id=project["id"], user_id=user["id"])


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:  # our own child: reap it
                return
        except ChildProcessError:
            if not _alive(pid):
                return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def attach(state: Path) -> Keystone | None:
    """The server running from ``state``, or None."""
    try:
        info = json.loads((state / "keystone.json").read_text())
    except (OSError, ValueError):
        return None
    if not _alive(info["pid"]):
        return None
    try:
        requests.get(info["url"], timeout=5).raise_for_status()
    except requests.RequestException:
        return None
    return Keystone(info)


def stop(state: Path) -> bool:
    """Stop the server running from ``state``; False when none was running."""
    try:
        info = json.loads((state / "keystone.json").read_text())
    except (OSError, ValueError):
        return False
    (state / "keystone.json").unlink(missing_ok=True)
    if not _alive(info["pid"]):
        return False
    _kill(info["pid"])
    return True


# -- pytest: one server per test run, shared by the xdist workers --------------------------


@contextlib.contextmanager
def shared(root: Path) -> Iterator[Keystone]:
    """A Keystone for every process of a test run that shares ``root``; the last user
    stops it."""
    state, lock, refs = root / "keystone", root / "keystone.lock", root / "keystone.refs"
    with _locked(lock):
        ks = attach(state)
        if ks is None:
            ks = start(state)
            refs.write_text("0")
        refs.write_text(str(int(refs.read_text() or 0) + 1))
    try:
        yield ks
    finally:
        with _locked(lock):
            left = int(refs.read_text() or 1) - 1
            refs.write_text(str(left))
            if left <= 0:
                stop(state)


def unavailable(msg: str) -> None:
    """Skip the calling test, or fail it under ``CI=true``."""
    import pytest

    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Keystone is unavailable (CI=true: a failure): {msg}")
    pytest.skip(f"Keystone is unavailable: {msg}")


def session_fixture(tmp_path_factory: Any) -> Iterator[Keystone]:
    """The body of the ``keystone`` fixture (``tests/conftest.py``)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's base temp dir, shared by its workers
    ctx = shared(root)
    try:
        ks = ctx.__enter__()
    except (KeystoneUnavailable, OSError, subprocess.SubprocessError) as e:
        unavailable(str(e))
    try:
        yield ks
    finally:
        ctx.__exit__(None, None, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.keystone",
                                     description="Run the tests' real Keystone by hand.")
    parser.add_argument("command", choices=("start", "stop"))
    parser.add_argument("--state-dir", type=Path, default=RUN_DIR)
    args = parser.parse_args(argv)
    state = args.state_dir.resolve()
    with _locked(state.with_name(state.name + ".lock")):
        if args.command == "stop":
            print(json.dumps({"stopped": stop(state)}))
            return 0
        ks = attach(state) or start(state)
    print(json.dumps({k: ks.info[k] for k in ("url", "admin", "service", "state_dir", "pid")},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
