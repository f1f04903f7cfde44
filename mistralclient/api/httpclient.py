"""The one place that speaks HTTP to the Mistral API.

``get/post/put/delete(url, [body], headers=None)`` return the ``requests`` response, as
python-mistralclient's ``HTTPClient`` does; the managers turn error statuses into
``APIException``. Requests go through a keystoneauth1 session when one was given.
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

import requests

from mistralclient.api.base import APIException

__all__ = ["APIException", "HTTPClient"]

LOG = logging.getLogger(__name__)

JSON = "application/json"
# Mistral 23 exposes the definition uploads (POST/PUT of workbooks, workflows, actions,
# code sources) with pecan ``content_type="text/plain"`` although they answer JSON, and
# pecan refuses ``Accept: application/json`` alone there with 406 Not Acceptable. So JSON
# is asked for first, and anything else accepted after it.
ACCEPT = "application/json, */*;q=0.1"

_TARGET_HEADERS = {
    "target_auth_token": "X-Target-Auth-Token",
    "target_auth_url": "X-Target-Auth-Uri",
    "target_project_id": "X-Target-Project-Id",
    "target_user_id": "X-Target-User-Id",
    "target_region_name": "X-Target-Region-Name",
    "target_user_domain_name": "X-Target-User-Domain-Name",
    "target_project_domain_name": "X-Target-Project-Domain-Name",
}


class HTTPClient:
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = kwargs.get("session") or requests.Session()
        self.auth_token = kwargs.get("auth_token")
        self.project_id = kwargs.get("project_id")
        self.user_id = kwargs.get("user_id")
        self.cacert = kwargs.get("cacert")
        self.insecure = kwargs.get("insecure", False)
        self.region_name = kwargs.get("region_name")
        self.timeout = kwargs.get("timeout")
        self.target = {k: kwargs.get(k) for k in _TARGET_HEADERS}
        self.target_insecure = kwargs.get("target_insecure")
        self.target_service_catalog = kwargs.get("target_service_catalog")
        self.ssl_options: dict = {}
        if self.base_url.startswith("https"):
            if self.cacert and not os.path.exists(self.cacert):
                raise ValueError("Unable to locate cacert file at %s." % self.cacert)
            self.ssl_options["verify"] = False if self.insecure else (self.cacert or True)
            cert, key = kwargs.get("cert"), kwargs.get("key")
            if cert:
                self.ssl_options["cert"] = (cert, key) if key else cert

    def get(self, url: str, headers: dict | None = None) -> requests.Response:
        return self._send("GET", url, None, headers)

    def post(self, url: str, body: Any, headers: dict | None = None) -> requests.Response:
        return self._send("POST", url, body, headers)

    def put(self, url: str, body: Any, headers: dict | None = None) -> requests.Response:
        return self._send("PUT", url, body, headers)

    def delete(self, url: str, headers: dict | None = None) -> requests.Response:
        return self._send("DELETE", url, None, headers)

    def _send(self, method: str, url: str, body: Any, headers: dict | None) -> requests.Response:
        options: dict = dict(self.ssl_options)
        options["headers"] = self._headers(method, headers)
        if self.timeout:
            options["timeout"] = self.timeout
        if body is not None:
            options["data"] = body
        if not isinstance(self.session, requests.Session):  # a keystoneauth1 session
            options["raise_exc"] = False
        resp = self.session.request(self.base_url + url, method, **options) \
            if not isinstance(self.session, requests.Session) \
            else self.session.request(method, self.base_url + url, **options)
        LOG.debug("HTTP %s %s %d", method, self.base_url + url, resp.status_code)
        return resp

    def _headers(self, method: str, extra: dict | None) -> dict:
        headers = {"Accept": ACCEPT}
        for key, value in (extra or {}).items():
            headers[key.title() if key.lower() in ("content-type", "accept") else key] = value
        if method in ("POST", "PUT"):
            headers.setdefault("Content-Type", JSON)
        if isinstance(self.session, requests.Session):
            if self.auth_token:
                headers["X-Auth-Token"] = self.auth_token
            if self.project_id:
                headers["X-Project-Id"] = self.project_id
            if self.user_id:
                headers["X-User-Id"] = self.user_id
        if self.region_name:
            headers["X-Region-Name"] = self.region_name
        for key, name in _TARGET_HEADERS.items():
            if self.target.get(key):
                headers[name] = self.target[key]
        if self.target_insecure:
            headers["X-Target-Insecure"] = str(self.target_insecure)
        if self.target_service_catalog:
            headers["X-Target-Service-Catalog"] = base64.b64encode(
                self.target_service_catalog.encode("utf-8")).decode("ascii")
        return headers
