"""``POST /v2/<definitions>/validate``: check a definition without storing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pecan import rest

from mistral import exceptions as exc
from mistral.api import http
from mistral.api.definitions import check_size


class ValidationController(rest.RestController):
    def __init__(self, parse: Callable[[str], Any]) -> None:
        self._parse = parse

    @http.expose()
    def post(self) -> dict[str, Any]:
        text = http.text_body()
        try:
            check_size(text, http.services().settings.max_definition_size_kb)
            self._parse(text)
        except exc.ValidationError as e:
            return {"valid": False, "error": str(e)}
        return {"valid": True}
