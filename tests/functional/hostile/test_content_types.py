"""Odd request content types get a 4xx fault, never a 500."""

from __future__ import annotations

import pytest

from tests.functional.api.client import ApiClient

ROUTES = [("POST", "/v2/workflows"), ("POST", "/v2/executions"),
          ("DELETE", "/v2/executions/x"), ("PUT", "/v2/environments"),
          ("POST", "/v2/workflows/validate")]


@pytest.mark.parametrize("ctype", [
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed",
    "application/x-www-form-urlencoded",
])
def test_form_content_types_are_refused_not_crashed(api: ApiClient, ctype: str) -> None:
    for method, path in ROUTES:
        r = api.request(method, path, b"a=1&b=%ZZ--x", content_type=ctype)
        assert r.status_code < 500, (method, path, r.status_code, r.text)
        if r.status_code >= 400:
            assert r.fault
