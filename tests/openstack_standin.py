"""A small HTTP stand-in for the Nova and Cinder APIs (the one part of an OpenStack cloud
that cannot run here): it answers the few calls the tests make, as those APIs shape
them, and records every request (path, token) so a test can see who called.

Only requests carrying an accepted ``X-Auth-Token`` are answered (401 otherwise): one of
``tokens``, or one ``validate`` accepts (e.g. ``Keystone.validate``: what a real Nova's
keystonemiddleware asks Keystone).
Paths: ``/compute/v2.1/servers[/detail|/<id>]`` and
``/volume/v3/<project>/volumes|backups``; a server named ``boom`` is a 500, an unknown
server id a 404; a new server is ACTIVE at once, or after ``builds`` GETs
that show it BUILD (``broken``: ERROR).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any


@dataclass
class Seen:
    method: str
    path: str
    token: str | None
    body: Any


@dataclass
class StandIn:
    tokens: set[str] = field(default_factory=set)
    seen: list[Seen] = field(default_factory=list)
    servers: dict[str, dict] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    builds: int = 0  # a new server shows BUILD to this many GETs before it is ACTIVE
    #: a token not in ``tokens`` is accepted when this says so
    validate: Callable[[str], Any] | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "StandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                token = self.headers.get("X-Auth-Token")
                standin.seen.append(Seen(self.command, self.path, token, body))
                if token not in standin.tokens and not (
                        token and standin.validate is not None and standin.validate(token)):
                    return self._reply(401, {"error": {"code": 401, "message": "The request you have made requires authentication."}})
                status, reply = standin.answer(self.command, self.path.split("?")[0], body)
                self._reply(status, reply)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["compute", "v2.1"] and parts[2:3] == ["servers"]:
            rest = parts[3:]
            if method == "POST" and not rest:
                spec = body["server"]
                if spec["name"] == "boom":
                    return 500, {"computeFault": {"code": 500, "message": "Unexpected API Error."}}
                sid = str(uuid.uuid4())
                status = "ERROR" if spec["name"] == "broken" else "BUILD" if self.builds else "ACTIVE"
                self.servers[sid] = {"id": sid, "name": spec["name"], "status": status, "_builds": self.builds,
                                     "image": {"id": spec.get("imageRef")},
                                     "flavor": {"id": spec.get("flavorRef")}}
                return 202, {"server": {"id": sid, "links": [], "adminPass": "x"}}
            if method == "GET" and rest == ["detail"]:
                return 200, {"servers": [{k: v for k, v in x.items() if not k.startswith("_")}
                                         for x in self.servers.values()]}
            if rest and rest[0] in self.servers:
                server = self.servers[rest[0]]
                if method == "GET":
                    shown = {k: v for k, v in server.items() if not k.startswith("_")}
                    if server["status"] == "BUILD":
                        server["_builds"] -= 1
                        if server["_builds"] <= 0:
                            server["status"] = "ACTIVE"
                    return 200, {"server": shown}
                if method == "DELETE":
                    del self.servers[rest[0]]
                    return 204, None
            return 404, {"itemNotFound": {"code": 404, "message": "Instance could not be found."}}
        if parts[:2] == ["volume", "v3"] and len(parts) == 4:
            kind = parts[3]
            if method == "POST" and kind == "volumes":
                vol = dict(body["volume"], id=str(uuid.uuid4()), status="creating", project=parts[2])
                return 202, {"volume": vol}
            if method == "POST" and kind == "backups":
                backup = dict(body["backup"], id=str(uuid.uuid4()), status="creating")
                return 202, {"backup": backup}
        return 404, {"error": {"code": 404, "message": "no such path in the stand-in"}}
