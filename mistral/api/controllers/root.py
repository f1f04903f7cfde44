"""``/``: the version document, and the ``/v2`` subtree."""

from __future__ import annotations

from typing import Any

from mistral.api import http
from mistral.api.controllers.v2.root import V2Controller


def version_document() -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "links": [{"href": http.host_url() + "/v2", "target": "v2", "rel": "self"}],  # as Mistral 23
    }


class RootController:
    v2 = V2Controller()

    @http.expose(only="GET")
    def index(self) -> dict[str, Any]:
        return {"versions": [version_document()]}

