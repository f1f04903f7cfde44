"""A fake Keystone for the authentication tests.

Keystone is an OpenStack service that cannot run here, so this small ``http.server`` on
127.0.0.1 (in a thread) answers the few calls keystonemiddleware's ``auth_token`` makes:
version discovery (``/`` and ``/v3``), the service user's password authentication
(``POST /v3/auth/tokens``, with a catalog naming this server as the identity endpoint) and
the validation of a user's token (``GET /v3/auth/tokens`` with ``X-Subject-Token``: the
token's user, project and roles, or 404 for a token it never issued). Users listed in
``passwords`` may log in themselves (a client's password authentication), and
``services`` adds catalog entries (e.g. ``workflowv2``) for clients that look Mistral up.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DOMAIN = {"id": "default", "name": "Default"}
EXPIRES = "2099-12-31T00:00:00.000000Z"
ISSUED = "2026-01-01T00:00:00.000000Z"
SERVICE_TOKEN = "service-token"


@dataclass(frozen=True)
class Identity:
    """Who a token stands for."""

    user_id: str
    user_name: str
    project_id: str
    project_name: str
    roles: tuple[str, ...] = ("member",)


class FakeKeystone:
    """``with FakeKeystone({token: Identity}) as ks: ks.url`` — the identity endpoint."""

    def __init__(self, tokens: dict[str, Identity], service_password: str = "secret",
                 passwords: dict[str, tuple[str, str]] | None = None) -> None:
        self.tokens = dict(tokens)
        self.service_password = service_password
        self.passwords = dict(passwords or {})  # user name -> (password, token)
        self.services: dict[str, str] = {}  # catalog: service type -> URL
        self.validations = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> "FakeKeystone":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- the documents --------------------------------------------------------------------

    def _version(self) -> dict[str, Any]:
        return {
            "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": self.url + "/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}],
        }

    def _token(self, who: Identity) -> dict[str, Any]:
        services = {"identity": self.url + "/v3", **self.services}
        catalog = [{
            "type": kind, "name": kind, "id": kind,
            "endpoints": [
                {"id": f"{kind}-{iface}", "interface": iface, "region": "RegionOne",
                 "region_id": "RegionOne", "url": url}
                for iface in ("public", "internal", "admin")
            ],
        } for kind, url in services.items()]
        return {"token": {
            "methods": ["password"], "expires_at": EXPIRES, "issued_at": ISSUED,
            "audit_ids": ["audit"],
            "user": {"id": who.user_id, "name": who.user_name, "domain": DOMAIN,
                     "password_expires_at": None},
            "project": {"id": who.project_id, "name": who.project_name, "domain": DOMAIN},
            "roles": [{"id": f"role-{r}", "name": r} for r in who.roles],
            "catalog": catalog,
        }}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        keystone = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: dict[str, Any] | None,
                      headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?")[0].rstrip("/")
                if path == "":
                    self._send(300, {"versions": {"values": [keystone._version()]}})
                elif path == "/v3":
                    self._send(200, {"version": keystone._version()})
                elif path == "/v3/auth/tokens":
                    if self.headers.get("X-Auth-Token") != SERVICE_TOKEN:
                        self._send(401, {"error": {"code": 401, "title": "Unauthorized",
                                                   "message": "bad service token"}})
                        return
                    keystone.validations += 1
                    who = keystone.tokens.get(self.headers.get("X-Subject-Token", ""))
                    if who is None:
                        self._send(404, {"error": {"code": 404, "title": "Not Found",
                                                   "message": "token not found"}})
                        return
                    self._send(200, keystone._token(who),
                               {"X-Subject-Token": self.headers["X-Subject-Token"]})
                else:
                    self._send(404, {"error": {"code": 404, "message": path}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.split("?")[0].rstrip("/") != "/v3/auth/tokens":
                    self._send(404, {"error": {"code": 404, "message": self.path}})
                    return
                user = (body.get("auth", {}).get("identity", {}).get("password", {})
                        .get("user", {}))
                password, name = user.get("password"), user.get("name")
                if name in keystone.passwords and keystone.passwords[name][0] == password:
                    token = keystone.passwords[name][1]
                    self._send(201, keystone._token(keystone.tokens[token]),
                               {"X-Subject-Token": token})
                    return
                if password != keystone.service_password:
                    self._send(401, {"error": {"code": 401, "title": "Unauthorized",
                                               "message": "bad credentials"}})
                    return
                service = Identity("u-mistral", "mistral", "p-service", "service",
                                   ("service", "admin"))
                self._send(201, keystone._token(service), {"X-Subject-Token": SERVICE_TOKEN})

        return Handler
