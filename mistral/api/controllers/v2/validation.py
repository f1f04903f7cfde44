"""``POST /v2/<definitions>/validate``: check a definition without storing it."""

from __future__ import annotations

from typing import Any

from pecan import rest

from mistral import exceptions as exc
from mistral.api import http
from mistral.api.definitions import Limits, parse


class ValidationController(rest.RestController):
    def __init__(self, kind: str) -> None:
        self.kind = kind

    @http.expose()
    def post(self) -> dict[str, Any]:
        text = http.text_body(allow_empty=True)
        if not text.strip():  # as Mistral 23: not valid, rather than a bad request
            return {"valid": False, "error": "The definition is empty."}
        try:
            parse(self.kind, text, Limits.of(http.services().settings))
        except exc.ValidationError as e:
            return {"valid": False, "error": str(e)}
        return {"valid": True}
