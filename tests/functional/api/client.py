"""A WSGI test client for the REST API: the real app over a real database, in-process.

``ApiClient`` sends WSGI requests straight into ``make_app(...)`` (no sockets), so the
whole stack — pecan routing, body checks, controllers, repositories, SQL — runs for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from webob import Request

from mistral.api.app import ApiServices, ApiSettings, make_app


@dataclass
class Reply:
    status_code: int
    text: str
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def fault(self) -> str:
        body = self.json
        if set(body) == {"faultstring"}:  # a definition upload's error, as Mistral 23's
            return body["faultstring"]
        assert set(body) == {"faultstring", "faultcode", "debuginfo"}, body
        assert body["faultcode"] == ("Client" if self.status_code < 500 else "Server")
        return body["faultstring"]


class ApiClient:
    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def request(self, method: str, path: str, body: Any = None, content_type: str | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        req = Request.blank(path, method=method)
        if body is not None:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                content_type = content_type or "application/json"
            req.body = body.encode("utf-8") if isinstance(body, str) else body
            req.content_type = content_type or "text/plain"
        for k, v in (headers or {}).items():
            req.headers[k] = v
        resp = req.get_response(self.app)
        return Reply(resp.status_code, resp.text, dict(resp.headers))

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


def system_actions() -> Sequence[Any]:
    from mistral.actions.registry import ActionRegistry

    return ActionRegistry.load().list_definitions()


def build_client(db: Any, engine: Any = None, settings: ApiSettings | None = None,
                 list_services: Callable[[], Sequence[Any]] | None = None) -> ApiClient:
    services = ApiServices(
        db=db,
        engine=engine,
        settings=settings or ApiSettings(),
        list_services=list_services or (lambda: ()),
        list_system_actions=system_actions,
    )
    return ApiClient(make_app(services))
