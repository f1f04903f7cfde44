"""The one place that speaks HTTP to the Mistral API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import requests

DEFAULT_URL = "http://localhost:8989/v2"


class APIException(Exception):
    """The server answered with an error status."""

    def __init__(self, error_code: int | None = None, error_message: str | None = None) -> None:
        super().__init__(error_message)
        self.error_code = error_code
        self.error_message = error_message

    def __str__(self) -> str:
        return f"{self.error_message} (HTTP {self.error_code})"


def quote_part(value: Any) -> str:
    """Quote one URL path segment (names may hold '/', spaces, ...)."""
    return quote(str(value), safe="")


class HTTPClient:
    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        auth_token: str | None = None,
        project_id: str | None = None,
        user_id: str | None = None,
        insecure: bool = False,
        cacert: str | None = None,
        timeout: float | None = 60,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth_token = auth_token
        self.project_id = project_id
        self.user_id = user_id
        self.verify: bool | str = cacert if cacert else not insecure
        self.timeout = timeout
        self.session = session or requests.Session()

    def _headers(self, content_type: str | None, extra: dict | None) -> dict:
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if self.auth_token:
            headers["X-Auth-Token"] = self.auth_token
        if self.project_id:
            headers["X-Project-Id"] = self.project_id
        if self.user_id:
            headers["X-User-Id"] = self.user_id
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        params: dict | None = None,
        headers: dict | None = None,
    ) -> Any:
        data = None
        if body is not None:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        resp = self.session.request(
            method,
            self.base_url + path,
            data=data,
            params={k: v for k, v in (params or {}).items() if v not in (None, "")},
            headers=self._headers(content_type if body is not None else None, headers),
            verify=self.verify,
            timeout=self.timeout,
        )
        if resp.status_code >= 400:
            raise APIException(resp.status_code, _error_message(resp))
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def get(self, path: str, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any, content_type: str = "application/json", params: dict | None = None) -> Any:
        return self.request("POST", path, body, content_type, params)

    def put(self, path: str, body: Any, content_type: str = "application/json", params: dict | None = None) -> Any:
        return self.request("PUT", path, body, content_type, params)

    def delete(self, path: str, params: dict | None = None) -> Any:
        return self.request("DELETE", path, params=params)


def _error_message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text or resp.reason
    if isinstance(body, dict):
        return str(body.get("faultstring") or body.get("message") or body)
    return str(body)
